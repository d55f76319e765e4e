package dev.convkit.testing;

import dev.convkit.tensor.Shape;

/**
 * Float64 reference of the data-movement ops: channel concat/split, Keras flatten (NHWC feature order) and its
 * inverse, zero padding and cropping. Shapes are logical NCHW or NC, stored row-major.
 */
final class RefShape {
    private RefShape() {}

    /** Concatenates [N, Ci, (H, W)] tensors along axis 1. */
    static double[] concat(Shape[] shapes, double[][] xs) {
        int n = shapes[0].dim(0);
        int area = area(shapes[0]);
        int total = 0;
        for (Shape s : shapes) total += s.dim(1);
        double[] y = new double[n * total * area];
        for (int b = 0; b < n; b++) {
            int channelBase = 0;
            for (int part = 0; part < xs.length; part++) {
                int ci = shapes[part].dim(1);
                // One batch element of one part is a contiguous block of ci·area values.
                System.arraycopy(xs[part], b * ci * area, y, (b * total + channelBase) * area, ci * area);
                channelBase += ci;
            }
        }
        return y;
    }

    /** Splits axis 1 of [N, C, (H, W)] into consecutive parts of {@code sizes} channels. */
    static double[][] split(Shape src, int[] sizes, double[] x) {
        int n = src.dim(0), total = src.dim(1), area = area(src);
        double[][] parts = new double[sizes.length][];
        int channelBase = 0;
        for (int part = 0; part < sizes.length; part++) {
            int ci = sizes[part];
            parts[part] = new double[n * ci * area];
            for (int b = 0; b < n; b++) {
                System.arraycopy(x, (b * total + channelBase) * area, parts[part], b * ci * area, ci * area);
            }
            channelBase += ci;
        }
        return parts;
    }

    /** [N, C, H, W] → [N, H·W·C] with feature index (h·W + w)·C + c; a 2-D input is copied unchanged. */
    static double[] flatten(Shape src, double[] x) {
        if (src.rank() == 2) return x.clone();
        int n = src.dim(0), c = src.dim(1), h = src.dim(2), w = src.dim(3);
        double[] y = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < c; ci++) {
                for (int hi = 0; hi < h; hi++) {
                    for (int wi = 0; wi < w; wi++) {
                        y[b * c * h * w + (hi * w + wi) * c + ci] = x[((b * c + ci) * h + hi) * w + wi];
                    }
                }
            }
        }
        return y;
    }

    /** Inverse of {@link #flatten}: [N, H·W·C] in NHWC feature order → {@code dst} [N, C, H, W] (2-D: a copy). */
    static double[] unflatten(Shape dst, double[] x) {
        if (dst.rank() == 2) return x.clone();
        int n = dst.dim(0), c = dst.dim(1), h = dst.dim(2), w = dst.dim(3);
        double[] y = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int ci = 0; ci < c; ci++) {
                for (int hi = 0; hi < h; hi++) {
                    for (int wi = 0; wi < w; wi++) {
                        y[((b * c + ci) * h + hi) * w + wi] = x[b * c * h * w + (hi * w + wi) * c + ci];
                    }
                }
            }
        }
        return y;
    }

    /** Surrounds each H×W plane with zeros: top/bottom rows and left/right columns. */
    static double[] zeroPad(Shape src, int top, int bottom, int left, int right, double[] x) {
        int planes = src.dim(0) * src.dim(1), h = src.dim(2), w = src.dim(3);
        int ph = h + top + bottom, pw = w + left + right;
        double[] y = new double[planes * ph * pw];
        for (int p = 0; p < planes; p++) {
            for (int hi = 0; hi < h; hi++) {
                for (int wi = 0; wi < w; wi++) y[(p * ph + hi + top) * pw + wi + left] = x[(p * h + hi) * w + wi];
            }
        }
        return y;
    }

    /** Removes top/bottom rows and left/right columns of each plane. */
    static double[] crop(Shape src, int top, int bottom, int left, int right, double[] x) {
        int planes = src.dim(0) * src.dim(1), h = src.dim(2), w = src.dim(3);
        int ch = h - top - bottom, cw = w - left - right;
        double[] y = new double[planes * ch * cw];
        for (int p = 0; p < planes; p++) {
            for (int hi = 0; hi < ch; hi++) {
                for (int wi = 0; wi < cw; wi++) y[(p * ch + hi) * cw + wi] = x[(p * h + hi + top) * w + wi + left];
            }
        }
        return y;
    }

    /** H·W of a 4-D shape, 1 for a 2-D one. */
    private static int area(Shape s) { return s.rank() == 4 ? s.dim(2) * s.dim(3) : 1; }
}
