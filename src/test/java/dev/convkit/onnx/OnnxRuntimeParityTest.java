package dev.convkit.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.graph.Model;
import dev.convkit.models.ModelConfig;
import dev.convkit.models.ModelRegistry;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every zoo model, exported with random weights (non-trivial BN statistics and biases), gives in ONNX Runtime the
 * logits ConvKit's cpu engine gives, at batch 2, to 1e-4 of the logits' scale (max |diff| / max |logit|; float32
 * engines with different summation orders agree near 1e-6, a wrong pad side, Flatten order or BN epsilon is off by
 * 1e-2 or more). The ImageNet-size models run at reduced inputs that keep every layer: 64x64 for resnet50,
 * densenet121 and vgg16 (VGG16's Flatten then sees 2x2x512, so its NHWC order is exercised), 99x99 for alexnet
 * (Flatten over 2x2x256).
 */
class OnnxRuntimeParityTest {
    private static final double RTOL = 1e-4;
    private static final Map<String, int[]> REDUCED = Map.of(
            "resnet50", new int[] {3, 64, 64}, "densenet121", new int[] {3, 64, 64}, "vgg16", new int[] {3, 64, 64},
            "alexnet", new int[] {3, 99, 99});

    static Stream<String> zoo() { return ModelRegistry.names().stream(); }

    static Model build(String name) {
        int[] reduced = REDUCED.get(name);
        return reduced == null ? ModelRegistry.create(name) : ModelRegistry.create(name, ModelConfig.defaults().withInput(reduced));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("zoo")
    void exportedLogitsEqualOnnxRuntimes(String name) throws Exception {
        Model model = build(name);
        Map<String, float[]> params = OnnxFixtures.randomParams(model, 42);
        float[][] inputs = OnnxFixtures.randomInputs(model, 2, 7);
        byte[] onnx = OnnxExport.toBytes(model, params, OnnxExport.Options.defaults());
        float[] ours = OnnxFixtures.convkitLogits(model, params, inputs);
        float[] ort = OnnxFixtures.ortOutput(onnx, model, inputs, 2, "logits");
        assertEquals(ours.length, ort.length, name + ": logits per batch");
        double rel = OnnxFixtures.relativeError(ours, ort);
        System.out.printf(Locale.ROOT, "OnnxRuntimeParityTest %s: %d params, %d bytes, logits max relative diff %.3g%n",
                name, model.totalParams(), onnx.length, rel);
        assertTrue(rel <= RTOL, name + ": ConvKit and ONNX Runtime logits differ by " + rel + " of their scale");
    }

    @Test
    void softmaxOutputIsTheSoftmaxOfTheLogits() throws Exception {
        Model model = ModelRegistry.create("mnist_cnn");
        Map<String, float[]> params = OnnxFixtures.randomParams(model, 3);
        float[][] inputs = OnnxFixtures.randomInputs(model, 2, 4);
        byte[] onnx = OnnxExport.toBytes(model, params, OnnxExport.Options.defaults().withSoftmaxOutput(true));
        float[] logits = OnnxFixtures.ortOutput(onnx, model, inputs, 2, "logits");
        float[] probs = OnnxFixtures.ortOutput(onnx, model, inputs, 2, "probabilities");
        for (int n = 0; n < 2; n++) {
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int k = 0; k < 10; k++) max = Math.max(max, logits[n * 10 + k]);
            for (int k = 0; k < 10; k++) sum += Math.exp(logits[n * 10 + k] - max);
            for (int k = 0; k < 10; k++) {
                double want = Math.exp(logits[n * 10 + k] - max) / sum;
                assertEquals(want, probs[n * 10 + k], 1e-6 + 1e-5 * want, "sample " + n + " class " + k);
            }
        }
        assertEquals(List.of("logits", "probabilities"), OnnxExport.proto(model, params, OnnxExport.Options.defaults()
                .withSoftmaxOutput(true)).getGraph().getOutputList().stream().map(v -> v.getName()).toList());
    }
}
