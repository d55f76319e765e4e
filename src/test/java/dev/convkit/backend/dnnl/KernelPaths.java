package dev.convkit.backend.dnnl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convkit.backend.Backend;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import dev.convkit.testing.EngineHarness;
import java.util.List;

/** Runs one op of the cpu engine in both layouts, checking which form of a kernel it compiled to. */
final class KernelPaths {
    private KernelPaths() {}

    /** What a test checks of one run's outputs; {@code where} names the case and layout. */
    @FunctionalInterface
    interface OutputCheck {
        void check(String where, double[][] outputs);
    }

    /**
     * Compiles {@code op} with canonical inputs and again with the 4-D ones but input {@code weightsAt} in the engine
     * layout; in each, asserts that the primitive call {@code call} is present exactly when {@code expected}, runs
     * {@code inputs} (float64 values in canonical order) and hands the outputs to {@code outputs}.
     */
    static void runBothLayouts(Backend cpu, String name, Op op, List<TensorSpec> specs, double[][] inputs, int weightsAt,
                               String call, boolean expected, OutputCheck outputs) {
        for (boolean engineLayout : new boolean[] {false, true}) {
            String where = name + (engineLayout ? " (engine layout)" : "");
            List<TensorSpec> compiled = engineLayout ? EngineHarness.inEngineLayout(specs, weightsAt) : specs;
            try (Kernel k = cpu.compile(op, compiled, null)) {
                List<String> calls = ((DnnlKernel) k).primitiveCalls();
                assertEquals(expected, calls.contains(call), where + ": calls " + calls);
                outputs.check(where, new EngineHarness(cpu).run(k, op, specs, inputs).outputs());
            }
        }
    }
}
