package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.CudaLinearAlgebraTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.BatchNormBwd;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Pool2dBwd;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.TensorSpec;
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
}
