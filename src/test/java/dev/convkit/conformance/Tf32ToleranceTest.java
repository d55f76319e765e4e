package dev.convkit.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.testing.BackwardProgram;
import dev.convkit.testing.RandomTensors;
import dev.convkit.testing.ReferenceOps;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The case {@link ConvCases#fp32Not32} can only catch TF32 if its tolerance rejects TF32 results: here the float64
 * reference runs on inputs rounded to TF32 (10 mantissa bits, nearest even), as a tensor-core kernel sees them, and
 * most values of the forward output and of each backward step must then fall outside the case's tolerance. That the
 * tolerance admits full FP32 is shown by every engine that passes the case in OpConformanceTest (cpu here).
 */
class Tf32ToleranceTest {

    @Test
    void tf32RoundingFailsTheCaseInEveryDirection() {
        ConformanceCase c = ConvCases.fp32Not32();
        Random rnd = new Random(c.seed());
        double[][] inputs = c.inputs().apply(rnd);
        List<TensorSpec> outSpecs = c.op().outputs(c.specs());
        double[][] gradOutputs = {RandomTensors.uniform(rnd, (int) outSpecs.get(0).size(), -1, 1)};

        double[][] exact = ReferenceOps.run(c.op(), c.specs(), RandomTensors.copy(inputs));
        double[][] tf32 = ReferenceOps.run(c.op(), c.specs(), tf32(inputs));
        assertMostlyRejected(c, "forward output", exact[0], tf32[0]);

        BackwardProgram program = BackwardProgram.record(c.op(), c.specs(), c.wrt(), c.gradOutputs());
        BackwardProgram.Evaluation ref = program.evaluate(ReferenceOps::run, inputs, exact, gradOutputs);
        BackwardProgram.Evaluation rounded = program.evaluate((op, specs, in) -> ReferenceOps.run(op, specs, tf32(in)),
                inputs, exact, gradOutputs);
        assertTrue(program.steps().size() >= 2, "backward data and backward filter steps: " + program.steps());
        for (int k = 0; k < program.steps().size(); k++) {
            assertMostlyRejected(c, "backward step " + k + " " + program.steps().get(k).op().name(),
                    ref.stepOutputs().get(k)[0], rounded.stepOutputs().get(k)[0]);
        }
    }

    @Test
    void tf32RoundingKeepsTenMantissaBits() {
        assertTrue(tf32(1 + 0x1p-10) == 1 + 0x1p-10);
        assertTrue(tf32(1 + 0x1p-11) == 1.0, "a tie rounds to even");
        assertTrue(tf32(1 + 0x1p-11 + 0x1p-20) == 1 + 0x1p-10);
        assertTrue(tf32(-3.0000001) == -3.0);
    }

    /** More than half of {@code got} outside the case tolerance around {@code expected}. */
    private static void assertMostlyRejected(ConformanceCase c, String what, double[] expected, double[] got) {
        int rejected = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            if (!c.tolerance().accepts(expected[i], got[i])) rejected++;
            worst = Math.max(worst, Math.abs(expected[i] - got[i]));
        }
        System.out.printf("TF32 %s: %d of %d values rejected by %s, largest |tf32 - fp64| %.2e%n", what, rejected,
                expected.length, c.tolerance(), worst);
        assertTrue(rejected > expected.length / 2, what + ": TF32 rounding should fail the case, but only " + rejected
                + " of " + expected.length + " values leave " + c.tolerance());
    }

    private static double[][] tf32(double[][] tensors) {
        double[][] r = new double[tensors.length][];
        for (int t = 0; t < tensors.length; t++) {
            r[t] = new double[tensors[t].length];
            for (int i = 0; i < r[t].length; i++) r[t][i] = tf32(tensors[t][i]);
        }
        return r;
    }

    /** An f32 value rounded to TF32: the 13 low mantissa bits cleared, rounding to nearest, ties to even. */
    static double tf32(double v) {
        int bits = Float.floatToRawIntBits((float) v);
        int lsb = (bits >>> 13) & 1;
        bits += 0xFFF + lsb;
        return Float.intBitsToFloat(bits & ~0x1FFF);
    }
}
