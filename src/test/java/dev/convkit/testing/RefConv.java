package dev.convkit.testing;

import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;

/**
 * Float64 reference of the convolution ops, as direct loops over every output position and kernel tap.
 * Layouts: src/diffSrc [N, C, H, W], weights [O, C/G, KH, KW], dst/diffDst [N, O, OH, OW], all row-major, with
 * G groups: output channel o reads the src channels g·C/G + j, j &lt; C/G, of its group g = o / (O/G), through
 * weights [o, j].
 * The input row read by output row {@code oh} and kernel row {@code kh} is {@code oh·strideH − padTop + kh·dilationH};
 * taps falling outside [0, H) read the zero padding and contribute nothing.
 */
final class RefConv {
    private RefConv() {}

    /** dst[n,o,oh,ow] = bias[o] + Σ_{j,kh,kw} src[n,g(o)·C/G+j,ih,iw] · w[o,j,kh,kw]. */
    static double[] forward(Conv2d op, Shape src, Shape weights, double[] x, double[] w, double[] bias) {
        Geometry g = new Geometry(op.window(), src, weights, op.groups());
        double[] y = new double[g.n * g.o * g.oh * g.ow];
        for (int n = 0; n < g.n; n++) {
            for (int o = 0; o < g.o; o++) {
                for (int oh = 0; oh < g.oh; oh++) {
                    for (int ow = 0; ow < g.ow; ow++) {
                        double acc = bias == null ? 0 : bias[o];
                        for (int j = 0; j < g.cg; j++) {
                            int c = g.srcChannel(o, j);
                            for (int kh = 0; kh < g.kh; kh++) {
                                int ih = g.inRow(oh, kh);
                                if (ih < 0 || ih >= g.h) continue;
                                for (int kw = 0; kw < g.kw; kw++) {
                                    int iw = g.inCol(ow, kw);
                                    if (iw < 0 || iw >= g.w) continue;
                                    acc += x[g.src(n, c, ih, iw)] * w[g.weight(o, j, kh, kw)];
                                }
                            }
                        }
                        y[g.dst(n, o, oh, ow)] = acc;
                    }
                }
            }
        }
        return y;
    }

    /** diffSrc[n,c,ih,iw] = Σ over every (o, oh, ow, kh, kw) that read it of diffDst[n,o,oh,ow] · w[o,j,kh,kw]. */
    static double[] backwardData(Conv2dBwdData op, Shape weights, double[] dy, double[] w) {
        Geometry g = new Geometry(op.window(), op.srcShape(), weights, op.groups());
        double[] dx = new double[g.n * g.c * g.h * g.w];
        for (int n = 0; n < g.n; n++) {
            for (int o = 0; o < g.o; o++) {
                for (int oh = 0; oh < g.oh; oh++) {
                    for (int ow = 0; ow < g.ow; ow++) {
                        double d = dy[g.dst(n, o, oh, ow)];
                        for (int j = 0; j < g.cg; j++) {
                            int c = g.srcChannel(o, j);
                            for (int kh = 0; kh < g.kh; kh++) {
                                int ih = g.inRow(oh, kh);
                                if (ih < 0 || ih >= g.h) continue;
                                for (int kw = 0; kw < g.kw; kw++) {
                                    int iw = g.inCol(ow, kw);
                                    if (iw < 0 || iw >= g.w) continue;
                                    dx[g.src(n, c, ih, iw)] += d * w[g.weight(o, j, kh, kw)];
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }

    /** diffWeights[o,j,kh,kw] = Σ_{n,oh,ow} src[n,g(o)·C/G+j,ih,iw] · diffDst[n,o,oh,ow]; diffBias[o] = Σ_{n,oh,ow} diffDst. */
    static double[][] backwardFilter(Conv2dBwdFilter op, Shape src, double[] x, double[] dy) {
        Geometry g = new Geometry(op.window(), src, op.weightShape(), op.groups());
        double[] dw = new double[g.o * g.cg * g.kh * g.kw];
        double[] db = new double[g.o];
        for (int n = 0; n < g.n; n++) {
            for (int o = 0; o < g.o; o++) {
                for (int oh = 0; oh < g.oh; oh++) {
                    for (int ow = 0; ow < g.ow; ow++) {
                        double d = dy[g.dst(n, o, oh, ow)];
                        db[o] += d;
                        for (int j = 0; j < g.cg; j++) {
                            int c = g.srcChannel(o, j);
                            for (int kh = 0; kh < g.kh; kh++) {
                                int ih = g.inRow(oh, kh);
                                if (ih < 0 || ih >= g.h) continue;
                                for (int kw = 0; kw < g.kw; kw++) {
                                    int iw = g.inCol(ow, kw);
                                    if (iw < 0 || iw >= g.w) continue;
                                    dw[g.weight(o, j, kh, kw)] += x[g.src(n, c, ih, iw)] * d;
                                }
                            }
                        }
                    }
                }
            }
        }
        return op.bias() ? new double[][] {dw, db} : new double[][] {dw};
    }

    /** dst[n,m] = bias[m] + Σ_k src[n,k] · w[k,m]; src [N, K], weights [K, M] (Keras order). */
    static double[] dense(int batch, int in, int out, double[] x, double[] w, double[] bias) {
        double[] y = new double[batch * out];
        for (int n = 0; n < batch; n++) {
            for (int m = 0; m < out; m++) {
                double acc = bias == null ? 0 : bias[m];
                for (int k = 0; k < in; k++) acc += x[n * in + k] * w[k * out + m];
                y[n * out + m] = acc;
            }
        }
        return y;
    }

    /** diffSrc[n,k] = Σ_m diffDst[n,m] · w[k,m]. */
    static double[] denseBackwardData(int batch, int in, int out, double[] dy, double[] w) {
        double[] dx = new double[batch * in];
        for (int n = 0; n < batch; n++) {
            for (int k = 0; k < in; k++) {
                double acc = 0;
                for (int m = 0; m < out; m++) acc += dy[n * out + m] * w[k * out + m];
                dx[n * in + k] = acc;
            }
        }
        return dx;
    }

    /** diffWeights[k,m] = Σ_n src[n,k] · diffDst[n,m]; diffBias[m] = Σ_n diffDst[n,m]. */
    static double[][] denseBackwardWeights(int batch, int in, int out, double[] x, double[] dy, boolean bias) {
        double[] dw = new double[in * out];
        double[] db = new double[out];
        for (int n = 0; n < batch; n++) {
            for (int m = 0; m < out; m++) {
                double d = dy[n * out + m];
                db[m] += d;
                for (int k = 0; k < in; k++) dw[k * out + m] += x[n * in + k] * d;
            }
        }
        return bias ? new double[][] {dw, db} : new double[][] {dw};
    }

    /** Sizes and index arithmetic of one convolution; output size from the window's rule. */
    private static final class Geometry {
        final Window2d win;
        final int n, c, h, w, o, kh, kw, oh, ow, cg, og;

        Geometry(Window2d win, Shape src, Shape weights, int groups) {
            this.win = win;
            cg = weights.dim(1);
            og = weights.dim(0) / groups;
            n = src.dim(0);
            c = src.dim(1);
            h = src.dim(2);
            w = src.dim(3);
            o = weights.dim(0);
            kh = weights.dim(2);
            kw = weights.dim(3);
            oh = win.outH(h);
            ow = win.outW(w);
        }

        int inRow(int outRow, int tap) { return outRow * win.strideH() - win.padTop() + tap * win.dilationH(); }

        int inCol(int outCol, int tap) { return outCol * win.strideW() - win.padLeft() + tap * win.dilationW(); }

        int src(int ni, int ci, int hi, int wi) { return ((ni * c + ci) * h + hi) * w + wi; }

        /** The src channel that weights [oi, j] multiply: channel j of output oi's group. */
        int srcChannel(int oi, int j) { return oi / og * cg + j; }

        int weight(int oi, int j, int khi, int kwi) { return ((oi * cg + j) * kh + khi) * kw + kwi; }

        int dst(int ni, int oi, int ohi, int owi) { return ((ni * o + oi) * oh + ohi) * ow + owi; }
    }
}
