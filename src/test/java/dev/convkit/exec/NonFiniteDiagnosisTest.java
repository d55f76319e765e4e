package dev.convkit.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendProvider;
import dev.convkit.graph.Input;
import dev.convkit.graph.Instr;
import dev.convkit.graph.Model;
import dev.convkit.graph.Precision;
import dev.convkit.graph.Program;
import dev.convkit.graph.ProgramBuilder;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Flatten;
import dev.convkit.ops.AdamUpdate;
import dev.convkit.tensor.DType;
import dev.convkit.testing.TestBackends;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link CompiledModel#firstNonFinite} and the skipped update of a non-finite step, on every engine and under both
 * precisions. The model: image [1, 5, 5] → conv (2 filters 3x3, valid: [2, 3, 3]) → flatten (18) → logits (3), with
 * weights set by hand so that one chosen op overflows f32's (and bf16's, the same) range of ~3.4e38 on purpose.
 */
class NonFiniteDiagnosisTest {
    static List<Object[]> cases() {
        return TestBackends.all().stream().flatMap(p -> Arrays.stream(Precision.values())
                .map(q -> new Object[] {p, q})).toList();
    }

    private static Model model() {
        SymbolicTensor image = Input.of("image", 1, 5, 5);
        SymbolicTensor x = new Conv2D("conv", 2, 3).apply(image);
        x = new Flatten("flatten").apply(x);
        return new Model("overflow", image, new Dense("logits", 3).apply(x));
    }

    /**
     * Conv filter 0 all ones, filter 1 all minus ones, zero biases; logit 2 weighs filter 0's 9 features by w (the
     * even features: flatten is in Keras's HWC order), every other logits weight is 0.
     */
    private static Map<String, float[]> weights(float w) {
        float[] kernel = new float[2 * 9];
        for (int i = 0; i < 18; i++) kernel[i] = i < 9 ? 1 : -1;
        float[] dense = new float[18 * 3];
        for (int i = 0; i < 18; i += 2) dense[i * 3 + 2] = w;
        return Map.of("conv/kernel", kernel, "conv/bias", new float[2], "logits/kernel", dense, "logits/bias", new float[3]);
    }

    /**
     * Two images: the first has 1e38 in its four bottom-right pixels, the second is all ones. Only the last conv
     * output position of the first image sums all four (4e38, beyond the f32 maximum); the others see at most two.
     */
    private static float[][] bigCorner() {
        float[] x = new float[2 * 25];
        Arrays.fill(x, 25, 50, 1f);
        for (int r = 3; r < 5; r++) for (int c = 3; c < 5; c++) x[r * 5 + c] = 1e38f;
        return new float[][] {x};
    }

    private static CompiledModel compiled(Backend b, Precision precision) {
        String why = b.unsupportedType(precision.computeType());
        assumeTrue(why == null, () -> precision.cliName() + " not run: " + why);
        CompiledModel m = new CompiledModel(model(), b, new AdamUpdate(0.9f, 0.999f, 1e-7f), precision);
        m.initialize(1);
        return m;
    }

    /** The index of the program's first instruction running {@code op} for layer {@code origin}. */
    private static int indexOf(Backend b, Precision precision, int batch, String op, String origin) {
        Program p = ProgramBuilder.training(model(), batch, Labels.SPARSE, b::fuses, precision);
        for (Instr i : p.instrs()) if (i.op().name().equals(op) && origin.equals(i.origin())) return i.index();
        throw new AssertionError("no " + op + " for " + origin + " in\n" + p.instrs());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void namesTheConvolutionThatOverflows(BackendProvider provider, Precision precision) {
        try (Backend b = TestBackends.open(provider); CompiledModel m = compiled(b, precision)) {
            m.loadParameters(weights(1e-3f));
            NonFinite f = m.firstNonFinite(bigCorner(), new float[] {0, 1}, Labels.SPARSE);
            assertNotNull(f, "the conv output of the first image's last position is 4e38");
            assertEquals(indexOf(b, precision, 2, "conv2d", "conv"), f.instr(), f.describe());
            assertEquals("conv2d", f.op(), f.describe());
            assertEquals("conv", f.origin(), f.describe());
            assertEquals(precision.computeType(), f.dtype(), f.describe());
            assertEquals(36, f.elements(), "2 images x 2 filters x 3 x 3");
            assertEquals(0, f.nan(), f.describe());
            assertEquals(1, f.positiveInf(), "filter 0: " + f.describe());
            assertEquals(1, f.negativeInf(), "filter 1: " + f.describe());
            assertTrue(f.inputsFinite(), f.describe());
            assertFalse(f.isParameter());
            assertEquals("The first op whose output is not finite: #" + f.instr() + " conv2d → " + f.value() + " ("
                    + precision.computeType().lower() + ", layer conv): 0 NaN, 2 Inf of 36; its inputs were finite.", f.describe());
        }
    }

    /**
     * Three images, logits weights 1e30: images 0 and 1 (ones) give logit 2 = 9 × 9 × 1e30, image 2 (all 1e7) gives
     * 9 × 9e7 × 1e30 = 8.1e38, so only the last of the 9 logits overflows. Under bf16 that value is the second half
     * of a 4-byte word the 18-byte buffer ends inside, which a scan by whole floats of the buffer would not see.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void findsTheLastElementOfAnOddLengthBuffer(BackendProvider provider, Precision precision) {
        try (Backend b = TestBackends.open(provider); CompiledModel m = compiled(b, precision)) {
            m.loadParameters(weights(1e30f));
            float[] x = new float[75];
            Arrays.fill(x, 0, 50, 1f);
            Arrays.fill(x, 50, 75, 1e7f);
            NonFinite f = m.firstNonFinite(new float[][] {x}, new float[] {0, 1, 2}, Labels.SPARSE);
            assertNotNull(f, "logit 2 of image 2 is 8.1e38");
            assertEquals("logits", f.origin(), f.describe());
            assertEquals(indexOf(b, precision, 3, f.op(), "logits"), f.instr(), f.describe());
            assertEquals(9, f.elements(), f.describe());
            assertEquals(1, f.positiveInf(), f.describe());
            assertEquals(0, f.negativeInf() + f.nan(), f.describe());
            assertTrue(f.inputsFinite(), f.describe());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aNonFiniteParameterIsNamedFirstAndAFiniteStepGivesNull(BackendProvider provider, Precision precision) {
        try (Backend b = TestBackends.open(provider); CompiledModel m = compiled(b, precision)) {
            float[][] ones = {new float[50]};
            Arrays.fill(ones[0], 1f);
            assertNull(m.firstNonFinite(ones, new float[] {1, 2}, Labels.SPARSE), "initialised weights, unit images");
            Map<String, float[]> w = weights(1f);
            w.get("logits/kernel")[7] = Float.NaN;
            w.get("logits/kernel")[8] = Float.NEGATIVE_INFINITY;
            m.loadParameters(w);
            NonFinite f = m.firstNonFinite(ones, new float[] {1, 2}, Labels.SPARSE);
            assertTrue(f.isParameter(), f.describe());
            assertEquals("logits/kernel", f.value());
            assertEquals(1, f.nan());
            assertEquals(1, f.negativeInf());
            assertEquals(54, f.elements());
            assertEquals("The parameter logits/kernel (f32) was not finite before the step: 1 NaN, 1 Inf of 54.", f.describe());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void aNonFiniteLossAppliesNoUpdate(BackendProvider provider, Precision precision) {
        try (Backend b = TestBackends.open(provider); CompiledModel m = compiled(b, precision)) {
            m.loadParameters(weights(1e-3f));
            Map<String, float[]> before = m.parameters();
            Map<String, float[]> stateBefore = m.optimizerState();
            CompiledModel.StepResult r = m.trainStep(bigCorner(), new float[] {0, 1}, Labels.SPARSE, 1e-2f);
            assertFalse(Float.isFinite(r.loss()), "loss " + r.loss());
            assertEquals(0, m.steps(), "a skipped update is not counted");
            for (Map.Entry<String, float[]> e : m.parameters().entrySet()) {
                assertArrayEquals(before.get(e.getKey()), e.getValue(), e.getKey() + " after the non-finite step");
            }
            for (Map.Entry<String, float[]> e : m.optimizerState().entrySet()) {
                assertArrayEquals(stateBefore.get(e.getKey()), e.getValue(), e.getKey() + " after the non-finite step");
            }
            float[][] ones = {new float[50]};
            Arrays.fill(ones[0], 1f);
            r = m.trainStep(ones, new float[] {0, 1}, Labels.SPARSE, 1e-2f);
            assertTrue(Float.isFinite(r.loss()), "loss " + r.loss());
            assertEquals(1, m.steps());
            assertFalse(Arrays.equals(before.get("logits/bias"), m.parameters().get("logits/bias")), "a finite step updates");
        }
    }
}
