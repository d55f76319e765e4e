package dev.convkit.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.DenseOp;
import dev.convkit.ops.DenseBwdData;
import dev.convkit.ops.DenseBwdWeights;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The cuda engine's own decisions around cuDNN and cuBLAS, on a GPU: asymmetric (TF "same") convolution padding
 * staged through scratch, the backward convolutions as exact adjoints of the forward one, and the row-major GEMM
 * transposition trick of the dense kernels. Skipped, with the reason, without a GPU.
 */
class CudaLinearAlgebraTest {
    private static final double TOL = 1e-4;

    /** Per test, so that each one is reported as skipped with the reason (surefire drops class-level skips). */
    @BeforeEach
    void needsGpu() { CudaRig.assumeGpu(); }

    @Test
    void sameConvolutionWithAsymmetricPaddingMatchesDirectSums() {
        // stride 2 on an even input: TF pads 0 before and 1 after; a 2x2 kernel with stride 1 does the same.
        checkConvolution(Window2d.same(6, 6, 3, 3, 2, 2, 1, 1), 2, 3, 6, 6, 4);
        checkConvolution(Window2d.same(5, 7, 2, 2, 1, 1, 1, 1), 1, 2, 5, 7, 3);
        checkConvolution(new Window2d(3, 3, 1, 1, 1, 1, 1, 1, 2, 2), 2, 2, 7, 7, 2);  // symmetric, dilated: not staged
    }

    private static void checkConvolution(Window2d win, int n, int c, int h, int w, int o) {
        Random r = new Random(11);
        float[] x = random(r, n * c * h * w), k = random(r, o * c * win.kernelH() * win.kernelW()), b = random(r, o);
        List<TensorSpec> specs = List.of(TensorSpec.f32(n, c, h, w), TensorSpec.f32(o, c, win.kernelH(), win.kernelW()),
                TensorSpec.f32(o));
        int oh = win.outH(h), ow = win.outW(w);
        try (CudaRig rig = new CudaRig()) {
            float[] y = rig.run(new Conv2d(win, true), specs, x, k, b)[0];
            for (int in = 0; in < n; in++) for (int oc = 0; oc < o; oc++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
                double s = b[oc];
                for (int ic = 0; ic < c; ic++) for (int ki = 0; ki < win.kernelH(); ki++) for (int kj = 0; kj < win.kernelW(); kj++) {
                    int yy = i * win.strideH() - win.padTop() + ki * win.dilationH();
                    int xx = j * win.strideW() - win.padLeft() + kj * win.dilationW();
                    if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                    s += (double) x[((in * c + ic) * h + yy) * w + xx] * k[((oc * c + ic) * win.kernelH() + ki) * win.kernelW() + kj];
                }
                assertEquals(s, y[((in * o + oc) * oh + i) * ow + j], TOL, "conv " + win + " at n" + in + " o" + oc + " " + i + "," + j);
            }
        }
    }

    @Test
    void backwardConvolutionsAreAdjointsOfTheForwardOne() {
        Window2d win = Window2d.same(8, 8, 3, 3, 2, 2, 1, 1);
        int n = 2, c = 3, o = 5, oh = win.outH(8), ow = win.outW(8);
        Shape xShape = Shape.of(n, c, 8, 8), wShape = Shape.of(o, c, 3, 3);
        Random r = new Random(3);
        float[] x = random(r, (int) xShape.size()), k = random(r, (int) wShape.size()), dy = random(r, n * o * oh * ow);
        TensorSpec xs = TensorSpec.f32(xShape), ws = TensorSpec.f32(wShape), ys = TensorSpec.f32(n, o, oh, ow);
        try (CudaRig rig = new CudaRig()) {
            float[] y = rig.run(new Conv2d(win, false), List.of(xs, ws), x, k)[0];
            float[] dx = rig.run(new Conv2dBwdData(win, xShape), List.of(ys, ws), dy, k)[0];
            float[][] g = rig.run(new Conv2dBwdFilter(win, wShape, true), List.of(xs, ys), x, dy);
            double lhs = dot(y, dy);  // <conv(x, w), dy> = <x, conv_data^T(dy)> = <w, conv_filter^T(x, dy)>
            assertEquals(lhs, dot(x, dx), TOL * scale(y, dy), "backward data is the adjoint of the forward conv");
            assertEquals(lhs, dot(k, g[0]), TOL * scale(y, dy), "backward filter is the adjoint of the forward conv");
            for (int oc = 0; oc < o; oc++) {
                double db = 0;
                for (int in = 0; in < n; in++) for (int p = 0; p < oh * ow; p++) db += dy[(in * o + oc) * oh * ow + p];
                assertEquals(db, g[1][oc], TOL, "bias gradient of channel " + oc);
            }
        }
    }

    @Test
    void denseProductsFollowRowMajorKerasShapes() {
        int n = 3, k = 4, m = 5;
        Random r = new Random(8);
        float[] x = random(r, n * k), w = random(r, k * m), b = random(r, m), dy = random(r, n * m);
        try (CudaRig rig = new CudaRig()) {
            float[] y = rig.run(new DenseOp(true), List.of(TensorSpec.f32(n, k), TensorSpec.f32(k, m), TensorSpec.f32(m)), x, w, b)[0];
            float[] dx = rig.run(new DenseBwdData(), List.of(TensorSpec.f32(n, m), TensorSpec.f32(k, m)), dy, w)[0];
            float[][] g = rig.run(new DenseBwdWeights(true), List.of(TensorSpec.f32(n, k), TensorSpec.f32(n, m)), x, dy);
            for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) {
                double s = b[j];
                for (int q = 0; q < k; q++) s += (double) x[i * k + q] * w[q * m + j];
                assertEquals(s, y[i * m + j], TOL, "y[" + i + "," + j + "]");
            }
            for (int i = 0; i < n; i++) for (int q = 0; q < k; q++) {
                double s = 0;
                for (int j = 0; j < m; j++) s += (double) dy[i * m + j] * w[q * m + j];
                assertEquals(s, dx[i * k + q], TOL, "dx[" + i + "," + q + "]");
            }
            for (int q = 0; q < k; q++) for (int j = 0; j < m; j++) {
                double s = 0;
                for (int i = 0; i < n; i++) s += (double) x[i * k + q] * dy[i * m + j];
                assertEquals(s, g[0][q * m + j], TOL, "dW[" + q + "," + j + "]");
            }
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int i = 0; i < n; i++) s += dy[i * m + j];
                assertEquals(s, g[1][j], TOL, "db[" + j + "]");
            }
        }
    }

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    /** Magnitude of a dot product's terms, for a relative tolerance. */
    private static double scale(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += Math.abs((double) a[i] * b[i]);
        return Math.max(s, 1);
    }
}
