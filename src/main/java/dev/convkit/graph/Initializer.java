package dev.convkit.graph;

import dev.convkit.tensor.Shape;
import java.util.SplittableRandom;

/**
 * Keras initialisers. Fans follow Keras for our layouts: conv weights [O, C, KH, KW] have
 * fanIn = C·KH·KW and fanOut = O·KH·KW; dense weights [K, M] have fanIn = K and fanOut = M.
 */
public enum Initializer {
    ZEROS, ONES,
    /** Truncated normal (resampled beyond 2σ), σ = sqrt(2 / fanIn) / 0.87962566 as in Keras VarianceScaling. */
    HE_NORMAL,
    /** Uniform in ±sqrt(6 / (fanIn + fanOut)). */
    GLOROT_UNIFORM,
    /** Normal(0, 0.05), Keras RandomNormal's default. */
    RANDOM_NORMAL,
    /** Normal(0, 0.01): the classifier initialiser of the TensorFlow model-garden ResNet-50. */
    RANDOM_NORMAL_SMALL;

    /** Fills {@code dst} for a parameter of {@code shape} from {@code rng}. */
    public void fill(float[] dst, Shape shape, SplittableRandom rng) {
        long[] fans = fans(shape);
        switch (this) {
            case ZEROS -> java.util.Arrays.fill(dst, 0f);
            case ONES -> java.util.Arrays.fill(dst, 1f);
            case HE_NORMAL -> {
                double sd = Math.sqrt(2.0 / fans[0]) / 0.87962566103423978;
                for (int i = 0; i < dst.length; i++) {
                    double g;
                    do { g = gaussian(rng); } while (Math.abs(g) > 2.0);
                    dst[i] = (float) (g * sd);
                }
            }
            case GLOROT_UNIFORM -> {
                double lim = Math.sqrt(6.0 / (fans[0] + fans[1]));
                for (int i = 0; i < dst.length; i++) dst[i] = (float) ((rng.nextDouble() * 2 - 1) * lim);
            }
            case RANDOM_NORMAL -> {
                for (int i = 0; i < dst.length; i++) dst[i] = (float) (gaussian(rng) * 0.05);
            }
            case RANDOM_NORMAL_SMALL -> {
                for (int i = 0; i < dst.length; i++) dst[i] = (float) (gaussian(rng) * 0.01);
            }
        }
    }

    /** {fanIn, fanOut} for our weight layouts. */
    static long[] fans(Shape s) {
        if (s.rank() == 4) {
            long receptive = (long) s.dim(2) * s.dim(3);
            return new long[] {s.dim(1) * receptive, s.dim(0) * receptive};
        }
        if (s.rank() == 2) return new long[] {s.dim(0), s.dim(1)};
        return new long[] {s.dim(0), s.dim(0)};
    }

    private static double gaussian(SplittableRandom rng) {
        double u1 = rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}
