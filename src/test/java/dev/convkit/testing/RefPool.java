package dev.convkit.testing;

import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;

/**
 * Float64 reference of pooling over src [N, C, H, W]. A window covers input rows
 * {@code oh·strideH − padTop + kh} for kh in [0, KH) (and likewise columns); positions outside [0, H) × [0, W) are
 * padding: they never win a max and are not counted by an average.
 */
final class RefPool {
    private RefPool() {}

    /** Max or average pooling → dst [N, C, OH, OW]. */
    static double[] forward(Pool2d.Kind kind, Window2d win, Shape src, double[] x) {
        Grid g = new Grid(win, src);
        double[] y = new double[g.n * g.c * g.oh * g.ow];
        for (int plane = 0; plane < g.n * g.c; plane++) {
            for (int oh = 0; oh < g.oh; oh++) {
                for (int ow = 0; ow < g.ow; ow++) {
                    int out = (plane * g.oh + oh) * g.ow + ow;
                    if (kind == Pool2d.Kind.MAX) {
                        y[out] = x[g.firstMax(x, plane, oh, ow)];
                    } else {
                        double sum = 0;
                        int count = 0;
                        for (int kh = 0; kh < win.kernelH(); kh++) {
                            for (int kw = 0; kw < win.kernelW(); kw++) {
                                int i = g.inputIndex(plane, oh, ow, kh, kw);
                                if (i < 0) continue;
                                sum += x[i];
                                count++;
                            }
                        }
                        y[out] = sum / count;
                    }
                }
            }
        }
        return y;
    }

    /**
     * Gradient: max sends each diffDst element to the first maximum of its window in row-major order (recomputed
     * from src); average spreads it equally over the window's in-bounds elements. Overlapping windows add up.
     */
    static double[] backward(Pool2d.Kind kind, Window2d win, Shape src, double[] x, double[] dy) {
        Grid g = new Grid(win, src);
        double[] dx = new double[x.length];
        for (int plane = 0; plane < g.n * g.c; plane++) {
            for (int oh = 0; oh < g.oh; oh++) {
                for (int ow = 0; ow < g.ow; ow++) {
                    double d = dy[(plane * g.oh + oh) * g.ow + ow];
                    if (kind == Pool2d.Kind.MAX) {
                        dx[g.firstMax(x, plane, oh, ow)] += d;
                        continue;
                    }
                    int count = 0;
                    for (int kh = 0; kh < win.kernelH(); kh++) {
                        for (int kw = 0; kw < win.kernelW(); kw++) if (g.inputIndex(plane, oh, ow, kh, kw) >= 0) count++;
                    }
                    for (int kh = 0; kh < win.kernelH(); kh++) {
                        for (int kw = 0; kw < win.kernelW(); kw++) {
                            int i = g.inputIndex(plane, oh, ow, kh, kw);
                            if (i >= 0) dx[i] += d / count;
                        }
                    }
                }
            }
        }
        return dx;
    }

    /** Mean over H·W: src [N, C, H, W] → dst [N, C]. */
    static double[] globalAverage(Shape src, double[] x) {
        int planes = src.dim(0) * src.dim(1), area = src.dim(2) * src.dim(3);
        double[] y = new double[planes];
        for (int p = 0; p < planes; p++) {
            double sum = 0;
            for (int s = 0; s < area; s++) sum += x[p * area + s];
            y[p] = sum / area;
        }
        return y;
    }

    /** Gradient of the global average: every element of plane (n, c) receives diffDst[n, c] / (H·W). */
    static double[] globalAverageBackward(Shape src, double[] dy) {
        int planes = src.dim(0) * src.dim(1), area = src.dim(2) * src.dim(3);
        double[] dx = new double[planes * area];
        for (int p = 0; p < planes; p++) for (int s = 0; s < area; s++) dx[p * area + s] = dy[p] / area;
        return dx;
    }

    /** Sizes of one pooling and the mapping from (output position, tap) to an input index. */
    private static final class Grid {
        final Window2d win;
        final int n, c, h, w, oh, ow;

        Grid(Window2d win, Shape src) {
            this.win = win;
            n = src.dim(0);
            c = src.dim(1);
            h = src.dim(2);
            w = src.dim(3);
            oh = win.outH(h);
            ow = win.outW(w);
        }

        /** Flat input index of tap (kh, kw) of output (oh, ow) in plane n·C + c, or −1 for padding. */
        int inputIndex(int plane, int outRow, int outCol, int kh, int kw) {
            int ih = outRow * win.strideH() - win.padTop() + kh;
            int iw = outCol * win.strideW() - win.padLeft() + kw;
            if (ih < 0 || ih >= h || iw < 0 || iw >= w) return -1;
            return (plane * h + ih) * w + iw;
        }

        /** Index of the first maximum in row-major window order; only a strictly larger value replaces it. */
        int firstMax(double[] x, int plane, int outRow, int outCol) {
            int best = -1;
            for (int kh = 0; kh < win.kernelH(); kh++) {
                for (int kw = 0; kw < win.kernelW(); kw++) {
                    int i = inputIndex(plane, outRow, outCol, kh, kw);
                    if (i >= 0 && (best < 0 || x[i] > x[best])) best = i;
                }
            }
            if (best < 0) throw new IllegalStateException("pool window at (" + outRow + ", " + outCol + ") of " + win
                    + " covers only padding of an input " + h + "x" + w);
            return best;
        }
    }
}
