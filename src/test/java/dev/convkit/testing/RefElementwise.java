package dev.convkit.testing;

import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.DropoutOp;

/** Float64 reference of the element-wise ops: activations and their gradients, add, mul, scale and dropout. */
final class RefElementwise {
    private RefElementwise() {}

    /** relu max(x, 0), relu6 min(max(x, 0), 6), sigmoid 1/(1 + e^−x), tanh, or softmax over each row of [rows, cols]. */
    static double[] activation(ActivationOp.Kind kind, double[] x, int cols) {
        double[] y = new double[x.length];
        switch (kind) {
            case RELU -> { for (int i = 0; i < x.length; i++) y[i] = Math.max(x[i], 0); }
            case RELU6 -> { for (int i = 0; i < x.length; i++) y[i] = Math.min(Math.max(x[i], 0), 6); }
            case SIGMOID -> { for (int i = 0; i < x.length; i++) y[i] = 1 / (1 + Math.exp(-x[i])); }
            case TANH -> { for (int i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]); }
            case SOFTMAX -> {
                for (int r = 0; r < x.length / cols; r++) {
                    double[] p = softmaxRow(x, r * cols, cols);
                    System.arraycopy(p, 0, y, r * cols, cols);
                }
            }
        }
        return y;
    }

    /** Numerically stable softmax of x[from, from + cols): exp(x − max) / Σ exp(x − max). */
    static double[] softmaxRow(double[] x, int from, int cols) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < cols; k++) max = Math.max(max, x[from + k]);
        double[] p = new double[cols];
        double sum = 0;
        for (int k = 0; k < cols; k++) {
            p[k] = Math.exp(x[from + k] - max);
            sum += p[k];
        }
        for (int k = 0; k < cols; k++) p[k] /= sum;
        return p;
    }

    /** Gradient from dst y: relu dy·[y &gt; 0]; relu6 dy·[0 &lt; y &lt; 6]; sigmoid dy·y·(1 − y); tanh dy·(1 − y²); softmax y·(dy − Σ dy·y) per row. */
    static double[] activationBackward(ActivationOp.Kind kind, double[] y, double[] dy, int cols) {
        double[] dx = new double[y.length];
        switch (kind) {
            case RELU -> { for (int i = 0; i < y.length; i++) dx[i] = y[i] > 0 ? dy[i] : 0; }
            case RELU6 -> { for (int i = 0; i < y.length; i++) dx[i] = y[i] > 0 && y[i] < 6 ? dy[i] : 0; }
            case SIGMOID -> { for (int i = 0; i < y.length; i++) dx[i] = dy[i] * y[i] * (1 - y[i]); }
            case TANH -> { for (int i = 0; i < y.length; i++) dx[i] = dy[i] * (1 - y[i] * y[i]); }
            case SOFTMAX -> {
                for (int r = 0; r < y.length / cols; r++) {
                    double dot = 0;
                    for (int k = 0; k < cols; k++) dot += dy[r * cols + k] * y[r * cols + k];
                    for (int k = 0; k < cols; k++) {
                        int i = r * cols + k;
                        dx[i] = y[i] * (dy[i] - dot);
                    }
                }
            }
        }
        return dx;
    }

    /** Element-wise sum of all inputs. */
    static double[] add(double[][] xs) {
        double[] y = new double[xs[0].length];
        for (double[] x : xs) for (int i = 0; i < y.length; i++) y[i] += x[i];
        return y;
    }

    /** Element-wise product. */
    static double[] mul(double[] a, double[] b) {
        double[] y = new double[a.length];
        for (int i = 0; i < y.length; i++) y[i] = a[i] * b[i];
        return y;
    }

    /** alpha · x. */
    static double[] scale(double alpha, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < y.length; i++) y[i] = alpha * x[i];
        return y;
    }

    /**
     * Inverted dropout: mask[i] = {@link DropoutOp#mask} of element i (flat canonical index) at this counter, the
     * one definition of the rule; dst = src · mask. The counter must be an exact non-negative integer.
     * Returns {dst, mask}.
     */
    static double[][] dropout(DropoutOp op, double[] x, double counter) {
        if (counter != Math.rint(counter) || counter < 0) {
            throw new IllegalArgumentException("dropout step counter must be a non-negative integer, got " + counter);
        }
        double[] mask = new double[x.length];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            mask[i] = op.mask((long) counter, i);
            y[i] = x[i] * mask[i];
        }
        return new double[][] {y, mask};
    }
}
