package dev.convkit.testing;

import java.util.Random;

/**
 * Seeded test values. Every value is rounded to the nearest f32, so an f32 engine and the float64 reference see
 * exactly the same inputs and differ only by their arithmetic.
 */
public final class RandomTensors {
    private RandomTensors() {}

    /** Uniform in [lo, hi). */
    public static double[] uniform(Random rnd, int n, double lo, double hi) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return a;
    }

    /**
     * Uniform magnitudes in [0.05, 1) with random signs: no value within 0.05 of zero, so the kink of relu is never
     * crossed by a finite-difference step.
     */
    public static double[] awayFromZero(Random rnd, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((rnd.nextBoolean() ? 1 : -1) * (0.05 + 0.95 * rnd.nextDouble()));
        return a;
    }

    /**
     * A random permutation of {−1 + 2k/n}: all values distinct and at least 2/n apart, so no pooling window has a
     * tie and a finite-difference step never changes which element is the maximum.
     */
    public static double[] distinct(Random rnd, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (float) (-1 + 2.0 * i / n);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** {@code rows} probability rows of length {@code cols}: positive, each summing to 1 (up to f32 rounding). */
    public static double[] probabilityRows(Random rnd, int rows, int cols) {
        double[] a = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int k = 0; k < cols; k++) sum += a[r * cols + k] = 0.1 + rnd.nextDouble();
            for (int k = 0; k < cols; k++) a[r * cols + k] = (float) (a[r * cols + k] / sum);
        }
        return a;
    }

    /** One-hot rows: each row has a single 1 at a random class. */
    public static double[] oneHotRows(Random rnd, int rows, int cols) {
        double[] a = new double[rows * cols];
        for (int r = 0; r < rows; r++) a[r * cols + rnd.nextInt(cols)] = 1;
        return a;
    }

    /** Class indices in [0, classes) stored as exact values, as sparse labels are. */
    public static double[] classIndices(Random rnd, int rows, int classes) {
        double[] a = new double[rows];
        for (int r = 0; r < rows; r++) a[r] = rnd.nextInt(classes);
        return a;
    }

    /** A deep copy of a list of tensors (null entries stay null). */
    public static double[][] copy(double[][] tensors) {
        double[][] c = new double[tensors.length][];
        for (int i = 0; i < tensors.length; i++) c[i] = tensors[i] == null ? null : tensors[i].clone();
        return c;
    }
}
