package dev.convkit.backend.dnnl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convkit.backend.BackendOptions;
import dev.convkit.graph.Model;
import dev.convkit.graph.Precision;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The engine layout of bf16 activations ({@link DnnlActivationFormats}): on a CPU with AMX oneDNN's bf16 convolution
 * prefers channels last, and mixed-precision training with activations kept in it must agree with the same training
 * with every tensor canonical. Both runs round activations to bf16, so they agree to bf16 rounding of the few values
 * whose accumulation order differs between the layouts' kernels, not to f32 rounding as the f32 layout test does:
 * the tolerance is 2⁻⁷ relative, one bf16 ulp, on losses, probabilities and the f32 master weights after the steps.
 */
class DnnlBf16LayoutTest {
    private static final int STEPS = DnnlLayoutParityTest.STEPS;
    private static final double TOL = 0x1p-7;

    /** The bf16 format is what the probe says, stated in the device line, and sized without padding when channels last. */
    @Test void bf16FormatIsProbedSeparatelyAndStated() {
        assumeTrue(DnnlBf16.unsupportedReason() == null, () -> "no native bf16: " + DnnlBf16.unsupportedReason());
        try (DnnlBackend engine = new DnnlBackend(BackendOptions.defaults(), true)) {
            DnnlBlockedFormat bf16 = engine.blocked(DType.BF16);
            assumeTrue(bf16 != null, "oneDNN's bf16 convolution prefers no engine format on this machine");
            assertTrue(engine.device().contains("bf16 " + bf16), engine.device());
            TensorSpec s = new TensorSpec(TensorSpec.f32(2, 12, 5, 5).shape(), DType.BF16, Layout.ENGINE);
            assertEquals(2L * bf16.paddedChannels(12) * 25 * 2, engine.sizeOf(s));
            assertEquals(Layout.ENGINE, engine.preferredLayout(s));
            if (DnnlProvider.isa().contains("amx")) {
                assertTrue(bf16.channelsLast(), "oneDNN's AMX bf16 convolution reads channels last, the probe found " + bf16);
                assertEquals(2L * 12 * 25 * 2, engine.sizeOf(s), "channels last has no padded channels");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.convkit.backend.dnnl.DnnlLayoutParityTest#models")
    void bf16TrainingInTheEngineLayoutMatchesCanonicalBf16Training(Model model) {
        assumeTrue(DnnlBf16.unsupportedReason() == null, () -> "no native bf16: " + DnnlBf16.unsupportedReason());
        BackendOptions options = BackendOptions.defaults().withDeterministic(true);
        try (DnnlBackend engineLayout = new DnnlBackend(options, true); DnnlBackend canonical = new DnnlBackend(options, false)) {
            assumeTrue(engineLayout.blocked(DType.BF16) != null, "oneDNN's bf16 convolution prefers no engine format here");
            DnnlLayoutParityTest.Run a = DnnlLayoutParityTest.train(model, engineLayout, Precision.MIXED_BF16),
                    b = DnnlLayoutParityTest.train(model, canonical, Precision.MIXED_BF16);
            for (int s = 0; s < STEPS; s++) assertClose("loss of step " + s, b.losses()[s], a.losses()[s]);
            assertTrue(b.losses()[STEPS - 1] != b.losses()[0], "the steps changed the model");
            for (int i = 0; i < b.probs().length; i++) assertClose("probability " + i, b.probs()[i], a.probs()[i]);
            assertEquals(b.params().keySet(), a.params().keySet());
            for (Map.Entry<String, float[]> e : b.params().entrySet()) {
                float[] want = e.getValue(), got = a.params().get(e.getKey());
                for (int i = 0; i < want.length; i++) assertClose(e.getKey() + "[" + i + "]", want[i], got[i]);
            }
        }
    }

    private static void assertClose(String what, double expected, double actual) {
        assertTrue(Math.abs(expected - actual) <= TOL * (1 + Math.abs(expected)),
                () -> what + ": canonical bf16 gives " + expected + ", the engine layout " + actual);
    }
}
