package dev.convkit.golden;

import dev.convkit.tensor.Shape;

/**
 * The closed formulas that fill a model for the golden parity test, identical to src/test/python/make_golden.py
 * (which writes them into every golden file as its "recipe"). For element i (flat row-major index in the ConvKit
 * layout) of the k-th tensor of the golden file's "params" list, with s = sin(2.4·i + 1.3·k):
 * kernel s·2/√fanIn (fanIn = C·KH·KW for [O, C, KH, KW], in for dense [in, out]); bias and beta 0.1·s; gamma
 * 1 + 0.25·s; moving mean 0.1·s; moving variance 1 + 0.5·s. Input element i of the NCHW batch: sin(0.37·i + 0.11).
 * Every value is computed in double and rounded to float, as the script does.
 */
final class GoldenRecipe {
    private GoldenRecipe() {}

    /** The values of the k-th tensor, of the given kind ("kernel", "bias", ...) and ConvKit shape. */
    static float[] tensor(String kind, Shape shape, int k) {
        float[] v = new float[(int) shape.size()];
        double amplitude = 0;
        if (kind.equals("kernel")) {
            long fanIn = shape.rank() == 4 ? (long) shape.dim(1) * shape.dim(2) * shape.dim(3) : shape.dim(0);
            amplitude = 2.0 / Math.sqrt(fanIn);
        }
        for (int i = 0; i < v.length; i++) {
            double s = Math.sin(2.4 * i + 1.3 * k);
            double value = switch (kind) {
                case "kernel" -> amplitude * s;
                case "bias", "beta", "moving_mean" -> 0.1 * s;
                case "gamma" -> 1.0 + 0.25 * s;
                case "moving_variance" -> 1.0 + 0.5 * s;
                default -> throw new IllegalArgumentException("unknown tensor kind '" + kind + "' in the golden recipe");
            };
            v[i] = (float) value;
        }
        return v;
    }

    /** The input batch of {@code n} values. */
    static float[] input(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) Math.sin(0.37 * i + 0.11);
        return x;
    }
}
