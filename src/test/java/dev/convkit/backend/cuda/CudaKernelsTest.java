package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.CudaLinearAlgebraTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.ActivationBwd;
import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.BatchNormBwd;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Concat;
import dev.convkit.ops.DropoutOp;
import dev.convkit.ops.FlattenOp;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Pool2dBwd;
import dev.convkit.ops.SoftmaxCrossEntropy;
import dev.convkit.ops.SoftmaxCrossEntropyBwd;
import dev.convkit.ops.SplitOp;
import dev.convkit.ops.Unflatten;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Our CUDA kernels and the conversions around cuDNN, on a GPU, against hand-computed values: the places where this
 * engine, not a library, decides the result. Skipped, with the reason, without a GPU.
 */
class CudaKernelsTest {

    /** Per test, so that each one is reported as skipped with the reason (surefire drops class-level skips). */
    @BeforeEach
    void needsGpu() { CudaRig.assumeGpu(); }

    @Test
    void dropoutDrawsExactlyTheMaskOfDropoutKeep() {
        int n = 5000;
        DropoutOp op = new DropoutOp(0.3f, 42L);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = 1f + i;
        try (CudaRig rig = new CudaRig()) {
            float[][] out = rig.run(op, List.of(TensorSpec.f32(n), TensorSpec.f32(1)), x, new float[] {7f});
            float scale = (float) (1.0 / (1.0 - 0.3f));
            for (int i = 0; i < n; i++) {
                float m = DropoutOp.keep(42L, 7L, i, 0.3f) ? scale : 0f;
                assertEquals(m, out[1][i], "mask[" + i + "]");
                assertEquals(x[i] * m, out[0][i], "dst[" + i + "]");
            }
        }
    }

    @Test
    void batchNormTrainingOutputsBiasedVarianceAndUpdatesRunningStatsKerasStyle() {
        int n = 4, c = 3, hw = 4, count = n * hw;
        Random r = new Random(2);
        float[] x = random(r, n * c * hw), gamma = random(r, c), beta = random(r, c);
        float[] runMean = {0.5f, 0.5f, 0.5f}, runVar = {2f, 2f, 2f};
        List<TensorSpec> specs = List.of(TensorSpec.f32(n, c, 2, 2), TensorSpec.f32(c), TensorSpec.f32(c), TensorSpec.f32(c),
                TensorSpec.f32(c));
        try (CudaRig rig = new CudaRig()) {
            float[][] out = rig.run(new BatchNormTrain(1e-3f, 0.9f), specs, x, gamma, beta, runMean, runVar);
            for (int ch = 0; ch < c; ch++) {
                double mean = 0, var = 0;
                for (int i = 0; i < n; i++) for (int p = 0; p < hw; p++) mean += x[(i * c + ch) * hw + p];
                mean /= count;
                for (int i = 0; i < n; i++) for (int p = 0; p < hw; p++) var += Math.pow(x[(i * c + ch) * hw + p] - mean, 2);
                var /= count;
                assertEquals(mean, out[1][ch], 1e-5, "batch mean of channel " + ch);
                assertEquals(var, out[2][ch], 1e-4 * Math.max(1, var), "biased batch variance of channel " + ch);
                assertEquals(0.9 * 0.5 + 0.1 * mean, runMean[ch], 1e-5, "running mean of channel " + ch);
                assertEquals(0.9 * 2 + 0.1 * var * count / (count - 1), runVar[ch], 1e-4, "running variance (unbiased batch)");
                for (int i = 0; i < n; i++) for (int p = 0; p < hw; p++) {
                    int at = (i * c + ch) * hw + p;
                    assertEquals(gamma[ch] * (x[at] - mean) / Math.sqrt(var + 1e-3) + beta[ch], out[0][at], 1e-4, "dst[" + at + "]");
                }
            }
        }
    }

    @Test
    void batchNormBackwardGivesTheSameGradientsWithAndWithoutItsForwardHint() {
        int n = 8, c = 4;
        Random r = new Random(9);
        float[] x = random(r, n * c), gamma = random(r, c), beta = random(r, c), dy = random(r, n * c);
        TensorSpec xs = TensorSpec.f32(n, c), cs = TensorSpec.f32(c);
        BatchNormTrain fwdOp = new BatchNormTrain(1e-3f, 0.99f);
        try (CudaRig rig = new CudaRig()) {
            Kernel fwd = rig.compile(fwdOp, List.of(xs, cs, cs, cs, cs), null);
            Buffer bx = rig.upload(x), bg = rig.upload(gamma), bDy = rig.upload(dy), saved = rig.buffer(fwd.savedBytes());
            Buffer y = rig.buffer(xs.bytes()), mean = rig.buffer(cs.bytes()), var = rig.buffer(cs.bytes());
            rig.run(fwd, new Buffer[] {bx, bg, rig.upload(beta), rig.upload(new float[c]), rig.upload(new float[] {1, 1, 1, 1})},
                    new Buffer[] {y, mean, var}, saved);
            List<TensorSpec> bwdSpecs = List.of(xs, xs, cs, cs, cs);
            float[][] hinted = backward(rig, rig.compile(new BatchNormBwd(1e-3f), bwdSpecs, fwd), bx, bDy, bg, mean, var, saved);
            float[][] plain = backward(rig, rig.compile(new BatchNormBwd(1e-3f), bwdSpecs, null), bx, bDy, bg, mean, var, null);
            float[] m = rig.download(mean, c), v = rig.download(var, c);
            for (int ch = 0; ch < c; ch++) {
                double inv = 1 / Math.sqrt(v[ch] + 1e-3), sumDy = 0, sumDyXhat = 0;
                for (int i = 0; i < n; i++) {
                    sumDy += dy[i * c + ch];
                    sumDyXhat += dy[i * c + ch] * (x[i * c + ch] - m[ch]) * inv;
                }
                assertEquals(sumDy, hinted[2][ch], 1e-4, "diffBeta");
                assertEquals(sumDyXhat, hinted[1][ch], 1e-4, "diffGamma");
                for (int i = 0; i < n; i++) {
                    double xhat = (x[i * c + ch] - m[ch]) * inv;
                    double dx = gamma[ch] * inv * (dy[i * c + ch] - sumDy / n - xhat * sumDyXhat / n);
                    assertEquals(dx, hinted[0][i * c + ch], 1e-4, "diffSrc with the saved statistics");
                    assertEquals(dx, plain[0][i * c + ch], 1e-4, "diffSrc from the mean/var inputs");
                }
            }
        }
    }

    private static float[][] backward(CudaRig rig, Kernel k, Buffer x, Buffer dy, Buffer gamma, Buffer mean, Buffer var,
                                      Buffer saved) {
        int c = (int) k.outputs().get(1).size();
        Buffer dx = rig.buffer(k.outputs().get(0).bytes()), dg = rig.buffer(4L * c), db = rig.buffer(4L * c);
        rig.run(k, new Buffer[] {x, dy, gamma, mean, var}, new Buffer[] {dx, dg, db}, saved);
        return new float[][] {rig.download(dx, (int) k.outputs().get(0).size()), rig.download(dg, c), rig.download(db, c)};
    }

    @Test
    void maxPoolingSendsTheGradientToTheFirstMaximumAndPaddingNeverWins() {
        Pool2d pool = new Pool2d(Pool2d.Kind.MAX, Window2d.valid(2, 2, 2, 2, 1, 1));
        TensorSpec xs = TensorSpec.f32(1, 1, 4, 4), ys = TensorSpec.f32(1, 1, 2, 2);
        float[] x = new float[16];
        java.util.Arrays.fill(x, 1f);  // every window is a four-way tie
        float[] expected = new float[16];
        expected[0] = 1;
        expected[2] = 2;
        expected[8] = 3;
        expected[10] = 4;
        try (CudaRig rig = new CudaRig()) {
            Kernel fwd = rig.compile(pool, List.of(xs), null);
            Buffer bx = rig.upload(x), y = rig.buffer(ys.bytes()), saved = rig.buffer(fwd.savedBytes());
            rig.run(fwd, new Buffer[] {bx}, new Buffer[] {y}, saved);
            Buffer dy = rig.upload(new float[] {1, 2, 3, 4});
            for (Kernel hint : new Kernel[] {fwd, null}) {
                Kernel bwd = rig.compile(new Pool2dBwd(Pool2d.Kind.MAX, pool.window()), List.of(xs, ys, ys), hint);
                Buffer dx = rig.buffer(xs.bytes());
                rig.run(bwd, new Buffer[] {bx, y, dy}, new Buffer[] {dx}, hint == null ? null : saved);
                assertArrayEquals(expected, rig.download(dx, 16), "max-pool gradient, hint " + (hint != null));
            }
            Window2d same = Window2d.same(2, 2, 3, 3, 1, 1, 1, 1);
            float[] negative = rig.run(new Pool2d(Pool2d.Kind.MAX, same), List.of(TensorSpec.f32(1, 1, 2, 2)),
                    new float[] {-1, -2, -3, -4})[0];
            assertArrayEquals(new float[] {-1, -1, -1, -1}, negative, "zero padding must not win a max");
        }
    }

    @Test
    void averagePoolingWithSamePaddingDividesByTheElementsInside() {
        Window2d win = Window2d.same(3, 3, 2, 2, 2, 2, 1, 1);  // pads 0 before, 1 after
        TensorSpec xs = TensorSpec.f32(1, 1, 3, 3), ys = TensorSpec.f32(1, 1, 2, 2);
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        try (CudaRig rig = new CudaRig()) {
            float[] y = rig.run(new Pool2d(Pool2d.Kind.AVG, win), List.of(xs), x)[0];
            assertArrayEquals(new float[] {3f, 4.5f, 7.5f, 9f}, y, 1e-6f);
            float[] dx = rig.run(new Pool2dBwd(Pool2d.Kind.AVG, win), List.of(xs, ys, ys), x, y, new float[] {1, 1, 1, 1})[0];
            assertArrayEquals(new float[] {0.25f, 0.25f, 0.5f, 0.25f, 0.25f, 0.5f, 0.5f, 0.5f, 1f}, dx, 1e-6f);
        }
    }

    @Test
    void softmaxCrossEntropyMatchesLogSoftmaxForSparseAndOneHotLabels() {
        float[] logits = {1, 2, 3, 1, 1, 1};
        double l0 = -(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3))), l1 = Math.log(3);
        TensorSpec ls = TensorSpec.f32(2, 3);
        try (CudaRig rig = new CudaRig()) {
            float[][] sparse = rig.run(new SoftmaxCrossEntropy(true), List.of(ls, TensorSpec.f32(2)), logits, new float[] {2, 0});
            float[][] dense = rig.run(new SoftmaxCrossEntropy(false), List.of(ls, ls), logits, new float[] {0, 0, 1, 1, 0, 0});
            assertEquals((l0 + l1) / 2, sparse[0][0], 1e-6);
            assertEquals(sparse[0][0], dense[0][0], 1e-6);
            assertEquals(1 / 3.0, sparse[1][4], 1e-6);
            float[] d = rig.run(new SoftmaxCrossEntropyBwd(true), List.of(ls, TensorSpec.f32(2), TensorSpec.f32(1)),
                    sparse[1], new float[] {2, 0}, new float[] {2f})[0];
            for (int i = 0; i < 6; i++) {
                double y = (i == 2 || i == 3) ? 1 : 0;
                assertEquals(2 * (sparse[1][i] - y) / 2, d[i], 1e-6, "dlogits[" + i + "]");
            }
        }
    }

    @Test
    void reluGradientIsZeroAtZeroAndAdamTakesTheKerasStep() {
        try (CudaRig rig = new CudaRig()) {
            float[] y = rig.run(new ActivationOp(ActivationOp.Kind.RELU), List.of(TensorSpec.f32(4)), new float[] {-1, 0, 2, -3})[0];
            assertArrayEquals(new float[] {0, 0, 2, 0}, y);
            float[] dx = rig.run(new ActivationBwd(ActivationOp.Kind.RELU), List.of(TensorSpec.f32(4), TensorSpec.f32(4)),
                    y, new float[] {5, 6, 7, 8})[0];
            assertArrayEquals(new float[] {0, 0, 7, 0}, dx);

            float[] p = {1, -2, 3}, g = {0.1f, -0.2f, 0.3f}, m = {0.05f, 0, 0}, v = {0.001f, 0, 0};
            float[] p0 = p.clone(), m0 = m.clone(), v0 = v.clone();
            TensorSpec s = TensorSpec.f32(3);
            rig.run(AdamUpdate.kerasDefaults(), List.of(s, s, s, s, TensorSpec.f32(2)), p, g, m, v, new float[] {0.01f, 3});
            double alpha = 0.01 * Math.sqrt(1 - Math.pow(0.999, 3)) / (1 - Math.pow(0.9, 3));
            for (int i = 0; i < 3; i++) {
                double mi = 0.9 * m0[i] + 0.1 * g[i], vi = 0.999 * v0[i] + 0.001 * g[i] * g[i];
                assertEquals(mi, m[i], 1e-7);
                assertEquals(vi, v[i], 1e-7);
                assertEquals(p0[i] - alpha * mi / (Math.sqrt(vi) + 1e-7), p[i], 1e-6, "param " + i);
            }
        }
    }

    @Test
    void flattenUsesKerasChannelsLastOrderAndUnflattenInvertsIt() {
        float[] x = new float[2 * 3 * 2 * 2];
        for (int i = 0; i < x.length; i++) x[i] = i;
        try (CudaRig rig = new CudaRig()) {
            float[] f = rig.run(new FlattenOp(), List.of(TensorSpec.f32(2, 3, 2, 2)), x)[0];
            for (int n = 0; n < 2; n++) for (int c = 0; c < 3; c++) for (int s = 0; s < 4; s++) {
                assertEquals(x[(n * 3 + c) * 4 + s], f[n * 12 + s * 3 + c], "flat[" + n + ", " + (s * 3 + c) + "]");
            }
            assertArrayEquals(x, rig.run(new Unflatten(Shape.of(2, 3, 2, 2)), List.of(TensorSpec.f32(2, 12)), f)[0]);
        }
    }

    @Test
    void concatSplitAndWideAddsKeepChannelBlocksAndSums() {
        float[] a = new float[2 * 1 * 4], b = new float[2 * 3 * 4];
        for (int i = 0; i < a.length; i++) a[i] = 100 + i;
        for (int i = 0; i < b.length; i++) b[i] = 200 + i;
        try (CudaRig rig = new CudaRig()) {
            float[] cat = rig.run(new Concat(2), List.of(TensorSpec.f32(2, 1, 2, 2), TensorSpec.f32(2, 3, 2, 2)), a, b)[0];
            for (int n = 0; n < 2; n++) {
                for (int s = 0; s < 4; s++) assertEquals(a[n * 4 + s], cat[n * 16 + s]);
                for (int s = 0; s < 12; s++) assertEquals(b[n * 12 + s], cat[n * 16 + 4 + s]);
            }
            float[][] parts = rig.run(new SplitOp(new int[] {1, 3}), List.of(TensorSpec.f32(2, 4, 2, 2)), cat);
            assertArrayEquals(a, parts[0]);
            assertArrayEquals(b, parts[1]);

            int arity = 17;  // three chained sum_f32 launches: 8 + 7 + 2 inputs
            float[][] terms = new float[arity][];
            for (int t = 0; t < arity; t++) terms[t] = new float[] {t, 2 * t, -t};
            float[] sum = rig.run(new AddOp(arity), Collections.nCopies(arity, TensorSpec.f32(3)), terms)[0];
            assertArrayEquals(new float[] {136, 272, -136}, sum);
        }
    }
}
