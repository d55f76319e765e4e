package dev.convkit.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendProvider;
import dev.convkit.exec.CompiledModel;
import dev.convkit.graph.Model;
import dev.convkit.graph.ParamSpec;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.io.Json;
import dev.convkit.models.ModelRegistry;
import dev.convkit.tensor.Shape;
import dev.convkit.testing.TestBackends;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with PyTorch: ResNet20v1 and the MNIST CNN of the zoo, filled with the closed-form values of
 * {@link GoldenRecipe}, must give on every engine the logits that the PyTorch reference architectures
 * (shared/anchors/pytorch/models.py) give in float64 for the same values (src/test/resources/expect/*_logits.json,
 * written by src/test/python/make_golden.py; the test itself needs no Python).
 *
 * <p>{@link CompiledModel#testStep} returns softmax probabilities, not logits, so the logits are recovered up to
 * their per-row constant as log p (exact: log softmax(z) = z − logsumexp(z)) and compared centred (each row minus
 * its mean) with the centred golden logits. Tolerance: |engine − golden| ≤ 1e-4·|golden| + 1e-5·max|golden row|,
 * the absolute part for entries near zero. The f32 engines are expected near 1e-6 relative (PyTorch's own float32
 * forward differs from float64 by 2e-7 on these logits of magnitude 0.1-0.3); a wrong padding side, Flatten order or
 * kernel transpose changes them by O(1) relative. The probabilities are also compared directly with the softmax of
 * the golden logits, to 1e-4 relative.
 */
class GoldenLogitsTest {
    private static final double RTOL = 1e-4, ROW_ATOL = 1e-5, PROB_RTOL = 1e-4;

    static Stream<Arguments> enginesAndGoldens() {
        return TestBackends.all().stream().flatMap(p -> Stream.of("resnet20v1", "mnist_cnn")
                .map(m -> Arguments.of(Named.of(p.name(), p), m)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("enginesAndGoldens")
    void logitsMatchPyTorch(BackendProvider provider, String modelName) throws IOException {
        Map<String, Object> golden = load(modelName);
        assertEquals(modelName, golden.get("model"));
        Model model = ModelRegistry.create(modelName);
        Map<String, float[]> values = parameters(model, list(golden.get("params")));

        List<Object> shapeJson = list(golden.get("input_shape"));
        int[] inputShape = shapeJson.stream().mapToInt(o -> (int) Json.toLong(o)).toArray();
        assertEquals(model.inputs().get(0).shape(), Shape.of(inputShape).dropBatch(), "golden input shape");
        int batch = inputShape[0];
        float[] input = GoldenRecipe.input((int) Shape.of(inputShape).size());
        double[][] expected = logits(golden, batch);
        int classes = expected[0].length;

        try (Backend backend = TestBackends.open(provider); CompiledModel cm = new CompiledModel(model, backend, null)) {
            cm.loadParameters(values);
            float[] probs = cm.testStep(new float[][] {input}, null, Labels.SPARSE).probs();
            assertEquals(batch * classes, probs.length, "probabilities per sample");
            double worstAbs = 0, worstRel = 0, worstProbRel = 0;
            for (int n = 0; n < batch; n++) {
                double[] want = centred(expected[n]);
                double[] got = new double[classes];
                for (int k = 0; k < classes; k++) got[k] = Math.log(probs[n * classes + k]);
                got = centred(got);
                double rowMax = 0;
                for (double v : want) rowMax = Math.max(rowMax, Math.abs(v));
                double[] softmax = softmax(expected[n]);
                for (int k = 0; k < classes; k++) {
                    double diff = Math.abs(got[k] - want[k]);
                    assertTrue(diff <= RTOL * Math.abs(want[k]) + ROW_ATOL * rowMax, String.format(Locale.ROOT,
                            "%s %s sample %d class %d: centred logit %.9f, golden %.9f (difference %.3g)", provider.name(),
                            modelName, n, k, got[k], want[k], diff));
                    double probRel = Math.abs(probs[n * classes + k] - softmax[k]) / softmax[k];
                    assertTrue(probRel <= PROB_RTOL, String.format(Locale.ROOT, "%s %s sample %d class %d: probability %.9g, "
                            + "softmax of golden %.9g", provider.name(), modelName, n, k, probs[n * classes + k], softmax[k]));
                    worstAbs = Math.max(worstAbs, diff);
                    worstRel = Math.max(worstRel, diff / Math.abs(want[k]));
                    worstProbRel = Math.max(worstProbRel, probRel);
                }
            }
            System.out.printf(Locale.ROOT, "GoldenLogitsTest[%s] %s: %d samples x %d classes, centred logits max |diff| %.3g "
                    + "(max relative %.3g), probabilities max relative diff %.3g%n", provider.name(), modelName, batch, classes,
                    worstAbs, worstRel, worstProbRel);
        }
    }

    /** Every parameter from the recipe; the golden file must name each ConvKit parameter once with its shape and kind. */
    private static Map<String, float[]> parameters(Model model, List<Object> params) {
        Map<String, float[]> values = new LinkedHashMap<>();
        for (int k = 0; k < params.size(); k++) {
            Map<String, Object> p = map(params.get(k));
            String name = (String) p.get("convkit");
            ParamSpec spec = model.params().get(name);
            assertNotNull(spec, "golden tensor " + k + " '" + name + "' (PyTorch " + p.get("pytorch") + ") is not a parameter of "
                    + model.name() + "; its parameters: " + model.params().keySet());
            Shape shape = Shape.of(list(p.get("shape")).stream().mapToInt(o -> (int) Json.toLong(o)).toArray());
            assertEquals(spec.shape(), shape, "shape of " + name);
            String kind = (String) p.get("kind");
            assertEquals(spec.kind().name().toLowerCase(Locale.ROOT), kind, "kind of " + name);
            assertEquals(null, values.put(name, GoldenRecipe.tensor(kind, shape, k)), name + " appears twice in the golden file");
        }
        List<String> missing = new ArrayList<>(model.params().keySet());
        missing.removeAll(values.keySet());
        assertTrue(missing.isEmpty(), "the golden file gives no values for " + missing);
        return values;
    }

    private static double[][] logits(Map<String, Object> golden, int batch) {
        List<Object> rows = list(golden.get("logits"));
        assertEquals(batch, rows.size(), "one logits row per sample");
        double[][] out = new double[batch][];
        for (int n = 0; n < batch; n++) out[n] = list(rows.get(n)).stream().mapToDouble(Json::toDouble).toArray();
        return out;
    }

    private static double[] centred(double[] z) {
        double mean = 0;
        for (double v : z) mean += v / z.length;
        double[] c = new double[z.length];
        for (int k = 0; k < z.length; k++) c[k] = z[k] - mean;
        return c;
    }

    private static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) max = Math.max(max, v);
        double[] p = new double[z.length];
        for (int k = 0; k < z.length; k++) sum += p[k] = Math.exp(z[k] - max);
        for (int k = 0; k < z.length; k++) p[k] /= sum;
        return p;
    }

    private static Map<String, Object> load(String model) throws IOException {
        String resource = "/expect/" + model + "_logits.json";
        try (InputStream in = GoldenLogitsTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, "golden file " + resource + " is missing from the test resources; run src/test/python/make_golden.py");
            return Json.parseObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) { return (List<Object>) o; }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) { return (Map<String, Object>) o; }
}
