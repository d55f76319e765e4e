package dev.convkit.testing;

import dev.convkit.ops.OptimizerUpdate;
import java.nio.FloatBuffer;

/**
 * The optimizer updates in the reference: their one definition, {@link OptimizerUpdate#update}, in f32 as every
 * engine computes them (a float64 copy would be a second definition). The arrays are rounded to f32, updated, and
 * written back widened; {@code in} is (param, grad, state..., hyper [lr, t ≥ 1]).
 */
final class RefOptim {
    private RefOptim() {}

    static double[][] update(OptimizerUpdate op, double[][] in) {
        int slices = in.length - 1;
        double[] hyper = in[slices];
        double t = hyper[1];
        if (t < 1 || t != Math.rint(t)) throw new IllegalArgumentException("optimizer step t must be an integer >= 1, got " + t);
        int n = in[0].length;
        FloatBuffer[] s = new FloatBuffer[slices];
        for (int k = 0; k < slices; k++) {
            s[k] = FloatBuffer.allocate(n);
            for (int i = 0; i < n; i++) s[k].put(i, (float) in[k][i]);
        }
        op.update(s, (float) hyper[0], (float) t, 0, n);
        for (int k : op.inPlaceInputs()) for (int i = 0; i < n; i++) in[k][i] = s[k].get(i);
        return new double[0][];
    }
}
