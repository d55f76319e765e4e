package dev.convkit.testing;

import dev.convkit.tensor.Shape;

/**
 * Float64 reference of batch normalisation over [N, C] or [N, C, H, W]: per channel c the statistics run over the
 * {@code count = N·H·W} elements (H·W = 1 for 2-D). Element (n, c, s) with s the flattened spatial position sits at
 * {@code (n·C + c)·S + s}.
 */
final class RefNorm {
    private RefNorm() {}

    /**
     * Training mode. Returns {dst, mean, biased var} and updates {@code runningMean}/{@code runningVar} in place:
     * {@code running = momentum·running + (1 − momentum)·batch}, the variance term unbiased by count/(count − 1).
     * With count = 1 the unbiased variance is undefined; the factor is then taken as 1 (count / max(count − 1, 1)).
     */
    static double[][] train(Shape shape, double epsilon, double momentum, double[] x, double[] gamma, double[] beta,
                            double[] runningMean, double[] runningVar) {
        Dims d = new Dims(shape);
        double[] mean = new double[d.c];
        double[] var = new double[d.c];
        for (int c = 0; c < d.c; c++) {
            double sum = 0;
            for (int n = 0; n < d.n; n++) for (int s = 0; s < d.s; s++) sum += x[d.at(n, c, s)];
            mean[c] = sum / d.count;
            double sq = 0;
            for (int n = 0; n < d.n; n++) {
                for (int s = 0; s < d.s; s++) {
                    double t = x[d.at(n, c, s)] - mean[c];
                    sq += t * t;
                }
            }
            var[c] = sq / d.count;
        }
        double[] y = normalise(d, epsilon, x, gamma, beta, mean, var);
        double unbias = (double) d.count / Math.max(d.count - 1, 1);
        for (int c = 0; c < d.c; c++) {
            runningMean[c] = momentum * runningMean[c] + (1 - momentum) * mean[c];
            runningVar[c] = momentum * runningVar[c] + (1 - momentum) * var[c] * unbias;
        }
        return new double[][] {y, mean, var};
    }

    /** Inference mode: dst = gamma·(src − mean)/√(var + ε) + beta with the given statistics. */
    static double[] infer(Shape shape, double epsilon, double[] x, double[] gamma, double[] beta, double[] mean,
                          double[] var) {
        return normalise(new Dims(shape), epsilon, x, gamma, beta, mean, var);
    }

    /**
     * Gradient of training-mode batch norm, where mean and var are functions of src. With
     * x̂ = (x − mean)/√(var + ε): diffBeta = Σ dy, diffGamma = Σ dy·x̂,
     * diffSrc = gamma/√(var + ε) · (dy − diffBeta/count − x̂·diffGamma/count). Returns {diffSrc, diffGamma, diffBeta}.
     */
    static double[][] backward(Shape shape, double epsilon, double[] x, double[] dy, double[] gamma, double[] mean,
                               double[] var) {
        Dims d = new Dims(shape);
        double[] dGamma = new double[d.c];
        double[] dBeta = new double[d.c];
        double[] dx = new double[x.length];
        for (int c = 0; c < d.c; c++) {
            double inv = 1 / Math.sqrt(var[c] + epsilon);
            for (int n = 0; n < d.n; n++) {
                for (int s = 0; s < d.s; s++) {
                    int i = d.at(n, c, s);
                    dBeta[c] += dy[i];
                    dGamma[c] += dy[i] * (x[i] - mean[c]) * inv;
                }
            }
            for (int n = 0; n < d.n; n++) {
                for (int s = 0; s < d.s; s++) {
                    int i = d.at(n, c, s);
                    double xHat = (x[i] - mean[c]) * inv;
                    dx[i] = gamma[c] * inv * (dy[i] - dBeta[c] / d.count - xHat * dGamma[c] / d.count);
                }
            }
        }
        return new double[][] {dx, dGamma, dBeta};
    }

    private static double[] normalise(Dims d, double epsilon, double[] x, double[] gamma, double[] beta,
                                      double[] mean, double[] var) {
        double[] y = new double[x.length];
        for (int c = 0; c < d.c; c++) {
            double inv = 1 / Math.sqrt(var[c] + epsilon);
            for (int n = 0; n < d.n; n++) {
                for (int s = 0; s < d.s; s++) {
                    int i = d.at(n, c, s);
                    y[i] = gamma[c] * (x[i] - mean[c]) * inv + beta[c];
                }
            }
        }
        return y;
    }

    /** N, C, spatial size S and the per-channel element count N·S. */
    private static final class Dims {
        final int n, c, s, count;

        Dims(Shape shape) {
            n = shape.dim(0);
            c = shape.dim(1);
            s = shape.rank() == 4 ? shape.dim(2) * shape.dim(3) : 1;
            count = n * s;
        }

        int at(int ni, int ci, int si) { return (ni * c + ci) * s + si; }
    }
}
