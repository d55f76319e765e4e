package dev.convkit.testing;

import dev.convkit.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Element-wise comparison of an engine's result with the reference: value i passes when
 * {@code |actual − expected| ≤ atol + rtol·|expected|} (NaN never passes). A failure names the tensor, counts the
 * mismatches, states the tolerance and lists the first few with their multi-dimensional indices.
 */
public final class Closeness {
    private Closeness() {}

    /** Absolute and relative tolerance. */
    public record Tolerance(double atol, double rtol) {
        /**
         * f32 engine vs float64 reference for the small tensors of the conformance cases: accumulations of at most a
         * few hundred O(1) terms leave errors near 1e-6 relative; 1e-4 + 1e-3·|expected| leaves a wide margin while a
         * wrong index, padding or mask is off by O(0.1).
         */
        public static final Tolerance F32 = new Tolerance(1e-4, 1e-3);

        public boolean accepts(double expected, double actual) {
            return Math.abs(actual - expected) <= atol + rtol * Math.abs(expected);
        }

        @Override public String toString() { return "atol " + atol + " + rtol " + rtol; }
    }

    private static final int SHOWN = 6;

    /** Throws {@link AssertionError} listing the first mismatches when any value of {@code actual} is off. */
    public static void assertClose(String what, Shape shape, double[] expected, double[] actual, Tolerance tol) {
        if (actual == null || expected.length != actual.length) {
            throw new AssertionError(what + " " + shape + ": expected " + expected.length + " values, got "
                    + (actual == null ? "none" : actual.length));
        }
        List<String> shown = new ArrayList<>();
        int bad = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            if (tol.accepts(expected[i], actual[i])) continue;
            bad++;
            worst = Double.isNaN(actual[i]) ? Double.NaN : Math.max(worst, Math.abs(actual[i] - expected[i]));
            if (shown.size() < SHOWN) {
                shown.add(index(shape, i) + " expected " + expected[i] + " got " + actual[i]);
            }
        }
        if (bad > 0) {
            throw new AssertionError(what + " " + shape + ": " + bad + " of " + expected.length + " values differ beyond "
                    + tol + " (largest difference " + worst + "); first:\n  " + String.join("\n  ", shown));
        }
    }

    /** The largest |actual − expected| (for reporting). */
    public static double maxAbsDifference(double[] expected, double[] actual) {
        double m = 0;
        for (int i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(actual[i] - expected[i]));
        return m;
    }

    /** "[n, c, h, w]" of flat row-major index i. */
    static String index(Shape shape, int flat) {
        int[] dims = shape.dims();
        int[] idx = new int[dims.length];
        int rest = flat;
        for (int a = dims.length - 1; a >= 0; a--) {
            idx[a] = rest % dims[a];
            rest /= dims[a];
        }
        return java.util.Arrays.toString(idx);
    }
}
