package dev.convkit.testing;

import dev.convkit.ops.EmaUpdate;
import dev.convkit.ops.OptimizerUpdate;
import java.nio.FloatBuffer;

/**
 * The optimizer updates and the weights' moving average in the reference: their one definition, {@link OptimizerUpdate#update}, in f32 as every
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

    /** The weights' moving average through its one definition, {@link EmaUpdate#update}; {@code in} is (average, value, hyper). */
    static double[][] ema(EmaUpdate op, double[][] in) {
        double t = in[2][1];
        if (t < 1 || t != Math.rint(t)) throw new IllegalArgumentException("optimizer step t must be an integer >= 1, got " + t);
        int n = in[0].length;
        FloatBuffer average = FloatBuffer.allocate(n), value = FloatBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            average.put(i, (float) in[0][i]);
            value.put(i, (float) in[1][i]);
        }
        op.update(average, value, (float) t, 0, n);
        for (int i = 0; i < n; i++) in[0][i] = average.get(i);
        return new double[0][];
    }
}
