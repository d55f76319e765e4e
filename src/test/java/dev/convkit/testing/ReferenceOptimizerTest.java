package dev.convkit.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.Op;
import dev.convkit.ops.RmsPropUpdate;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.tensor.TensorSpec;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two steps of each optimizer update in {@link ReferenceOps} (the ops' one f32 definition,
 * {@link dev.convkit.ops.OptimizerUpdate#update}) against values worked out by hand in float64. SGD uses
 * binary-exact numbers (lr 0.125, momentum 0.5), so its expectations are exact decimals, in f32 too. Adam and
 * RMSprop are written in the bias-corrected textbook form (m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t), ε̂ = ε/√(1 − β2^t)),
 * a different arrangement of the same function, with the ops' float fields widened to double; the f32 definition
 * agrees to f32 rounding of values of magnitude ≤ 3 (2e-6).
 */
class ReferenceOptimizerTest {
    private static final double EXACT = 0;
    private static final double ROUNDING = 2e-6;

    @Test
    void sgdWithoutMomentumLeavesVelocityAlone() {
        double[] p = {1, -2}, v = {7, 7};
        step(new SgdUpdate(0f, false), p, new double[] {0.5, 1}, v, 0.125, 1);
        assertArrayEquals(new double[] {0.9375, -2.125}, p, EXACT);
        step(new SgdUpdate(0f, false), p, new double[] {-0.5, 1}, v, 0.125, 2);
        assertArrayEquals(new double[] {1.0, -2.25}, p, EXACT);
        assertArrayEquals(new double[] {7, 7}, v, EXACT, "momentum 0 must not touch the velocity");
    }

    @Test
    void sgdWithMomentum() {
        double[] p = {1, -2}, v = {0, 0};
        // v1 = −0.125·g1 = (−0.0625, −0.125); p1 = p0 + v1.
        step(new SgdUpdate(0.5f, false), p, new double[] {0.5, 1}, v, 0.125, 1);
        assertArrayEquals(new double[] {-0.0625, -0.125}, v, EXACT);
        assertArrayEquals(new double[] {0.9375, -2.125}, p, EXACT);
        // v2 = 0.5·v1 − 0.125·g2 = (−0.03125 + 0.0625, −0.0625 − 0.125); p2 = p1 + v2.
        step(new SgdUpdate(0.5f, false), p, new double[] {-0.5, 1}, v, 0.125, 2);
        assertArrayEquals(new double[] {0.03125, -0.1875}, v, EXACT);
        assertArrayEquals(new double[] {0.96875, -2.3125}, p, EXACT);
    }

    @Test
    void sgdWithNesterovMomentum() {
        double[] p = {1, -2}, v = {0, 0};
        // v1 = (−0.0625, −0.125); p1 = p0 + 0.5·v1 − 0.125·g1 = (1 − 0.03125 − 0.0625, −2 − 0.0625 − 0.125).
        step(new SgdUpdate(0.5f, true), p, new double[] {0.5, 1}, v, 0.125, 1);
        assertArrayEquals(new double[] {0.90625, -2.1875}, p, EXACT);
        // v2 = (0.03125, −0.1875); p2 = p1 + 0.5·v2 − 0.125·g2 = (0.90625 + 0.015625 + 0.0625, −2.1875 − 0.09375 − 0.125).
        step(new SgdUpdate(0.5f, true), p, new double[] {-0.5, 1}, v, 0.125, 2);
        assertArrayEquals(new double[] {0.03125, -0.1875}, v, EXACT);
        assertArrayEquals(new double[] {0.984375, -2.40625}, p, EXACT);
    }

    @Test
    void adamTwoSteps() {
        AdamUpdate op = AdamUpdate.kerasDefaults();
        double b1 = op.beta1(), b2 = op.beta2(), eps = op.epsilon(), lr = (float) 0.001;
        double[] g1 = {0.5, -2}, g2 = {-0.25, -2};
        double[] p = {1, 3}, m = {0, 0}, v = {0, 0};
        double[] expected = {1, 3}, em = new double[2], ev = new double[2];
        for (int t = 1; t <= 2; t++) {
            double[] g = t == 1 ? g1 : g2;
            for (int i = 0; i < 2; i++) {
                em[i] = b1 * em[i] + (1 - b1) * g[i];
                ev[i] = b2 * ev[i] + (1 - b2) * g[i] * g[i];
                double mHat = em[i] / (1 - Math.pow(b1, t));
                double vHat = ev[i] / (1 - Math.pow(b2, t));
                double epsHat = eps / Math.sqrt(1 - Math.pow(b2, t));
                expected[i] -= lr * mHat / (Math.sqrt(vHat) + epsHat);
            }
            step(op, p, g, m, v, lr, t);
            assertArrayEquals(em, m, ROUNDING, "m after step " + t);
            assertArrayEquals(ev, v, ROUNDING, "v after step " + t);
            assertArrayEquals(expected, p, ROUNDING, "param after step " + t);
        }
        // By hand: step 1 moves each parameter by ≈ lr against its gradient's sign (m̂ = g, v̂ = g²). Step 2, param 0:
        // m̂ = (0.045 − 0.025)/0.19 = 0.10526, v̂ = (0.00024975 + 0.0000625)/0.001999 = 0.15620, so it moves by
        // 0.001·0.10526/√0.15620 = 0.00026634; param 1 sees g = −2 twice, m̂ = −2, v̂ = 4, and moves by +0.001 again.
        assertArrayEquals(new double[] {1 - 0.001 - 0.00026634, 3 + 0.002}, p, 3e-7); // f32 spacing at 3 is 2.4e-7
    }

    @Test
    void rmsPropTwoSteps() {
        RmsPropUpdate op = RmsPropUpdate.kerasDefaults();
        double rho = op.rho(), eps = op.epsilon(), lr = 0.125;
        double[] p = {1, -3}, ms = {0, 0};
        // Step 1: ms1 = (1 − ρ)·g1²; p1 = p0 − lr·g1/(√ms1 + ε).
        double[] g1 = {0.5, 2};
        step(op, p, g1, ms, lr, 1);
        double ms10 = (1 - rho) * 0.25, ms11 = (1 - rho) * 4;
        assertArrayEquals(new double[] {ms10, ms11}, ms, ROUNDING);
        double p10 = 1 - lr * 0.5 / (Math.sqrt(ms10) + eps), p11 = -3 - lr * 2 / (Math.sqrt(ms11) + eps);
        assertArrayEquals(new double[] {p10, p11}, p, ROUNDING);
        // Step 2: ms2 = ρ·ms1 + (1 − ρ)·g2²; p2 = p1 − lr·g2/(√ms2 + ε).
        double[] g2 = {-0.25, 2};
        step(op, p, g2, ms, lr, 2);
        double ms20 = rho * ms10 + (1 - rho) * 0.0625, ms21 = rho * ms11 + (1 - rho) * 4;
        assertArrayEquals(new double[] {ms20, ms21}, ms, ROUNDING);
        assertArrayEquals(new double[] {p10 + lr * 0.25 / (Math.sqrt(ms20) + eps), p11 - lr * 2 / (Math.sqrt(ms21) + eps)},
                p, ROUNDING);
    }

    /** Runs one update through {@link ReferenceOps#run}: slices in op order, then hyper [lr, t]. */
    private static void step(Op op, double[] p, double[] g, double[] state, double lr, int t) {
        run(op, new double[][] {p, g, state, {lr, t}});
    }

    private static void step(Op op, double[] p, double[] g, double[] m, double[] v, double lr, int t) {
        run(op, new double[][] {p, g, m, v, {lr, t}});
    }

    private static void run(Op op, double[][] inputs) {
        int n = inputs[0].length;
        List<TensorSpec> specs = new java.util.ArrayList<>(Collections.nCopies(inputs.length - 1, TensorSpec.f32(n)));
        specs.add(TensorSpec.f32(2));
        double[][] out = ReferenceOps.run(op, specs, inputs);
        assertArrayEquals(new double[0][], out, "updates have no outputs");
    }
}
