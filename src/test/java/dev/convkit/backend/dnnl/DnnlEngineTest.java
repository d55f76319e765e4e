package dev.convkit.backend.dnnl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Availability;
import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendException;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Backends;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.backend.MemoryKind;
import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.ActivationBwd;
import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Concat;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Crop2d;
import dev.convkit.ops.DenseOp;
import dev.convkit.ops.DenseBwdData;
import dev.convkit.ops.DenseBwdWeights;
import dev.convkit.ops.DropoutOp;
import dev.convkit.ops.FlattenOp;
import dev.convkit.ops.GlobalAvgPool;
import dev.convkit.ops.InvalidOpException;
import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.Op;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Pool2dBwd;
import dev.convkit.ops.RmsPropUpdate;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.ops.SoftmaxCrossEntropy;
import dev.convkit.ops.SoftmaxCrossEntropyBwd;
import dev.convkit.ops.SplitOp;
import dev.convkit.ops.Unflatten;
import dev.convkit.ops.Window2d;
import dev.convkit.ops.ZeroPad2d;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hand-computed checks of the cpu engine's kernels, its error paths and its memory ownership. */
class DnnlEngineTest {
    private static final float TOL = 1e-5f;
    private static Backend cpu;

    @BeforeAll static void open() {
        Availability a = new DnnlProvider().availability();
        assertTrue(a.available(), a.reason());
        cpu = new DnnlProvider().open(BackendOptions.defaults());
    }

    @AfterAll static void close() { cpu.close(); }

    // ---- convolution -------------------------------------------------------------------------------------

    @Test void conv2dValidWithBiasMatchesHandComputedCorrelation() {
        // x = 1..9 as 3x3, w = [[1, 2], [3, 4]], bias 1: out(i, j) = Σ w(a, b) x(i + a, j + b) + 1
        float[] y = run(new Conv2d(Window2d.valid(2, 2, 1, 1, 1, 1), true),
                List.of(TensorSpec.f32(1, 1, 3, 3), TensorSpec.f32(1, 1, 2, 2), TensorSpec.f32(1)),
                seq(9, 1), new float[] {1, 2, 3, 4}, new float[] {1})[0];
        assertArrayEquals(new float[] {38, 48, 68, 78}, y, TOL);
    }

    @Test void tfSamePaddingOnEvenInputPadsOnlyAfter() {
        Window2d same = Window2d.same(4, 4, 3, 3, 2, 2, 1, 1);
        assertEquals(0, same.padTop());
        assertEquals(1, same.padBottom());
        // ones 3x3 kernel, stride 2 over 1..16: windows rows/cols {0..2} and {2..3 + one padded}
        float[] y = run(new Conv2d(same, false), List.of(TensorSpec.f32(1, 1, 4, 4), TensorSpec.f32(1, 1, 3, 3)),
                seq(16, 1), fill(9, 1))[0];
        assertArrayEquals(new float[] {54, 45, 72, 54}, y, TOL);
    }

    @Test void conv2dBackwardDataAndFilterMatchHandComputedSums() {
        Window2d valid = Window2d.valid(2, 2, 1, 1, 1, 1);
        float[] dx = run(new Conv2dBwdData(valid, Shape.of(1, 1, 3, 3)),
                List.of(TensorSpec.f32(1, 1, 2, 2), TensorSpec.f32(1, 1, 2, 2)), fill(4, 1), new float[] {1, 2, 3, 4})[0];
        // dy = ones: every input position sums the weights of the windows covering it
        assertArrayEquals(new float[] {1, 3, 2, 4, 10, 6, 3, 7, 4}, dx, TOL);

        float[][] grads = run(new Conv2dBwdFilter(valid, Shape.of(1, 1, 2, 2), true),
                List.of(TensorSpec.f32(1, 1, 3, 3), TensorSpec.f32(1, 1, 2, 2)), seq(9, 1), fill(4, 1));
        assertArrayEquals(new float[] {12, 16, 24, 28}, grads[0], TOL);
        assertArrayEquals(new float[] {4}, grads[1], TOL);
    }

    // ---- pooling -----------------------------------------------------------------------------------------

    @Test void maxPoolBackwardRoutesToFirstMaximumWithAndWithoutForwardHint() {
        Window2d w = Window2d.valid(2, 2, 2, 2, 1, 1);
        Pool2d pool = new Pool2d(Pool2d.Kind.MAX, w);
        TensorSpec x = TensorSpec.f32(1, 1, 2, 4), y = TensorSpec.f32(1, 1, 1, 2);
        // windows {1, 5, 3, 0} and {2, 2, 2, 1}: the second has a three-way tie, won by its first element (0, 2)
        float[] src = {1, 5, 2, 2, 3, 0, 2, 1};
        float[] expected = {0, 10, 20, 0, 0, 0, 0, 0};
        try (Kernel fwd = cpu.compile(pool, List.of(x), null);
             Kernel bwd = cpu.compile(new Pool2dBwd(Pool2d.Kind.MAX, w), List.of(x, y, y), fwd);
             Kernel alone = cpu.compile(new Pool2dBwd(Pool2d.Kind.MAX, w), List.of(x, y, y), null);
             Session s = new Session()) {
            assertTrue(fwd.savedBytes() > 0, "max pooling keeps its workspace");
            Buffer saved = s.alloc(fwd.savedBytes());
            float[] pooled = s.run(fwd, saved, src)[0];
            assertArrayEquals(new float[] {5, 2}, pooled, TOL);
            assertArrayEquals(expected, s.run(bwd, saved, src, pooled, new float[] {10, 20})[0], TOL);
            assertArrayEquals(expected, s.run(alone, null, src, pooled, new float[] {10, 20})[0], TOL);
        }
    }

    @Test void averagePoolingExcludesPaddingFromTheDivisor() {
        float[] y = run(new Pool2d(Pool2d.Kind.AVG, Window2d.same(3, 3, 3, 3, 1, 1, 1, 1)),
                List.of(TensorSpec.f32(1, 1, 3, 3)), seq(9, 1))[0];
        assertArrayEquals(new float[] {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7}, y, TOL);
        float[] g = run(new GlobalAvgPool(), List.of(TensorSpec.f32(1, 2, 2, 2)), new float[] {1, 2, 3, 4, 0, 0, 0, 8})[0];
        assertArrayEquals(new float[] {2.5f, 2}, g, TOL);
    }

    // ---- normalisation and activations -------------------------------------------------------------------

    @Test void batchNormTrainingNormalisesAndUpdatesRunningStatisticsKerasStyle() {
        TensorSpec c = TensorSpec.f32(1);
        float[] runningMean = {0}, runningVar = {1};
        float[][] out = run(new BatchNormTrain(0f, 0.9f), List.of(TensorSpec.f32(2, 1, 1, 2), c, c, c, c),
                new float[] {1, 2, 3, 4}, new float[] {2}, new float[] {1}, runningMean, runningVar);
        float s = (float) (2 / Math.sqrt(1.25));
        assertArrayEquals(new float[] {1 - 1.5f * s, 1 - 0.5f * s, 1 + 0.5f * s, 1 + 1.5f * s}, out[0], TOL);
        assertArrayEquals(new float[] {2.5f}, out[1], TOL);
        assertArrayEquals(new float[] {1.25f}, out[2], TOL, "batch variance is biased");
        assertArrayEquals(new float[] {0.25f}, runningMean, TOL);
        assertArrayEquals(new float[] {0.9f + 0.1f * 5 / 3f}, runningVar, TOL, "running variance is unbiased");
    }

    @Test void reluAndSoftmaxBackwardReadTheirOutputs() {
        TensorSpec v = TensorSpec.f32(1, 4);
        assertArrayEquals(new float[] {0, 0, 2, 3}, run(new ActivationOp(ActivationOp.Kind.RELU), List.of(v),
                new float[] {-1, 0, 2, 3})[0], TOL);
        assertArrayEquals(new float[] {0, 0, 7, 8}, run(new ActivationBwd(ActivationOp.Kind.RELU), List.of(v, v),
                new float[] {0, 0, 2, 3}, new float[] {5, 6, 7, 8})[0], TOL);
        // softmax backward: y·(dy − Σ dy·y) with y = (0.5, 0.5), dy = (1, 0) → (0.25, −0.25)
        TensorSpec p = TensorSpec.f32(1, 2);
        assertArrayEquals(new float[] {0.25f, -0.25f}, run(new ActivationBwd(ActivationOp.Kind.SOFTMAX), List.of(p, p),
                new float[] {0.5f, 0.5f}, new float[] {1, 0})[0], TOL);
    }

    // ---- dense ----------------------------------------------------------------------------------------------

    @Test void denseForwardAndBothBackwardProductsUseKerasWeightOrder() {
        float[] w = {1, 2, 3, 4, 5, 6}; // [K = 2, M = 3]
        float[] y = run(new DenseOp(true), List.of(TensorSpec.f32(1, 2), TensorSpec.f32(2, 3), TensorSpec.f32(3)),
                new float[] {1, 2}, w, new float[] {0.5f, 0, 0})[0];
        assertArrayEquals(new float[] {9.5f, 12, 15}, y, TOL);
        float[] dx = run(new DenseBwdData(), List.of(TensorSpec.f32(1, 3), TensorSpec.f32(2, 3)),
                new float[] {1, 0, -1}, w)[0];
        assertArrayEquals(new float[] {-2, -2}, dx, TOL);
        float[][] g = run(new DenseBwdWeights(true), List.of(TensorSpec.f32(2, 2), TensorSpec.f32(2, 3)),
                new float[] {1, 2, 3, 4}, new float[] {1, 0, -1, 2, 1, 0});
        assertArrayEquals(new float[] {7, 3, -1, 10, 4, -2}, g[0], TOL);
        assertArrayEquals(new float[] {3, 1, -1}, g[1], TOL);
    }

    // ---- data movement -------------------------------------------------------------------------------------

    @Test void flattenUsesNhwcOrderAndUnflattenInvertsIt() {
        float[] x = {0, 1, 2, 3, 10, 11, 12, 13}; // [1, 2, 2, 2]: channel 0 then channel 1
        float[] flat = run(new FlattenOp(), List.of(TensorSpec.f32(1, 2, 2, 2)), x)[0];
        assertArrayEquals(new float[] {0, 10, 1, 11, 2, 12, 3, 13}, flat, TOL);
        assertArrayEquals(x, run(new Unflatten(Shape.of(1, 2, 2, 2)), List.of(TensorSpec.f32(1, 8)), flat)[0], TOL);
    }

    @Test void zeroPadCropConcatAndSplitMoveTheRightElements() {
        float[] padded = run(new ZeroPad2d(1, 0, 0, 1), List.of(TensorSpec.f32(1, 1, 1, 2)), new float[] {1, 2})[0];
        assertArrayEquals(new float[] {0, 0, 0, 1, 2, 0}, padded, TOL);
        assertArrayEquals(new float[] {1, 2}, run(new Crop2d(1, 0, 0, 1), List.of(TensorSpec.f32(1, 1, 2, 3)), padded)[0], TOL);

        float[] joined = run(new Concat(2), List.of(TensorSpec.f32(2, 1), TensorSpec.f32(2, 2)),
                new float[] {1, 2}, new float[] {3, 4, 5, 6})[0];
        assertArrayEquals(new float[] {1, 3, 4, 2, 5, 6}, joined, TOL);
        float[][] parts = run(new SplitOp(new int[] {1, 2}), List.of(TensorSpec.f32(2, 3)), joined);
        assertArrayEquals(new float[] {1, 2}, parts[0], TOL);
        assertArrayEquals(new float[] {3, 4, 5, 6}, parts[1], TOL);
    }

    @Test void naryAddSumsEveryInput() {
        TensorSpec v = TensorSpec.f32(3);
        assertArrayEquals(new float[] {111, 222, 333}, run(new AddOp(3), List.of(v, v, v),
                new float[] {1, 2, 3}, new float[] {10, 20, 30}, new float[] {100, 200, 300})[0], TOL);
    }

    @Test void dropoutMaskFollowsTheSharedKeepRuleAndTheStepCounter() {
        int n = 64;
        float rate = 0.25f;
        float[][] out = run(new DropoutOp(rate, 42L), List.of(TensorSpec.f32(n), TensorSpec.f32(1)), seq(n, 1),
                new float[] {7});
        int dropped = 0;
        for (int i = 0; i < n; i++) {
            float m = DropoutOp.keep(42L, 7, i, rate) ? 1 / (1 - rate) : 0;
            assertEquals(m, out[1][i], TOL, "mask at " + i);
            assertEquals((i + 1) * m, out[0][i], TOL, "dst at " + i);
            if (m == 0) dropped++;
        }
        assertTrue(dropped > 0 && dropped < n, "some but not all dropped: " + dropped);
    }

    // ---- loss, penalty, optimizers -------------------------------------------------------------------------

    @Test void sparseSoftmaxCrossEntropyLossProbsAndGradient() {
        TensorSpec logits = TensorSpec.f32(2, 3);
        float[][] out = run(new SoftmaxCrossEntropy(true), List.of(logits, TensorSpec.f32(2)),
                new float[] {1, 2, 3, 0, 0, 0}, new float[] {2, 0});
        // row 0: log(1 + e^-1 + e^-2); row 1: log 3; mean of both
        assertArrayEquals(new float[] {0.7531091f}, out[0], TOL);
        float[] p = {0.09003057f, 0.24472847f, 0.66524096f, 1 / 3f, 1 / 3f, 1 / 3f};
        assertArrayEquals(p, out[1], TOL);
        float[] dx = run(new SoftmaxCrossEntropyBwd(true), List.of(logits, TensorSpec.f32(2), TensorSpec.f32(1)),
                p, new float[] {2, 0}, new float[] {2})[0];
        assertArrayEquals(new float[] {p[0], p[1], p[2] - 1, p[3] - 1, p[4], p[5]}, dx, TOL, "2·(p − y)/2");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> run(new SoftmaxCrossEntropy(true),
                List.of(logits, TensorSpec.f32(2)), new float[6], new float[] {3, 0}));
        assertTrue(bad.getMessage().contains("label 3.0 of row 0"), bad.getMessage());
    }

    @Test void l2PenaltyIsLambdaTimesSumOfSquares() {
        assertArrayEquals(new float[] {0.01f * 14}, run(new L2Penalty(0.01f), List.of(TensorSpec.f32(3)),
                new float[] {1, -2, 3})[0], TOL);
    }

    @Test void adamSgdAndRmsPropTakeOneHandComputedStep() {
        TensorSpec one = TensorSpec.f32(1), hyper = TensorSpec.f32(2);
        float[] lrT = {0.1f, 1};
        float[] p = {1}, m = {0}, v = {0};
        run(AdamUpdate.kerasDefaults(), List.of(one, one, one, one, hyper), p, new float[] {0.5f}, m, v, lrT);
        assertArrayEquals(new float[] {0.05f}, m, TOL);
        assertArrayEquals(new float[] {0.00025f}, v, 1e-8f);
        assertArrayEquals(new float[] {0.90000063f}, p, 1e-7f);

        float[] ps = {1}, vel = {0.2f};
        run(new SgdUpdate(0.9f, false), List.of(one, one, one, hyper), ps, new float[] {0.5f}, vel, lrT);
        assertArrayEquals(new float[] {0.13f}, vel, TOL);
        assertArrayEquals(new float[] {1.13f}, ps, TOL);
        float[] pn = {1}, vn = {0.2f};
        run(new SgdUpdate(0.9f, true), List.of(one, one, one, hyper), pn, new float[] {0.5f}, vn, lrT);
        assertArrayEquals(new float[] {1.067f}, pn, TOL);

        float[] pr = {1}, ms = {0};
        run(RmsPropUpdate.kerasDefaults(), List.of(one, one, one, hyper), pr, new float[] {0.5f}, ms, lrT);
        assertArrayEquals(new float[] {0.025f}, ms, TOL);
        assertArrayEquals(new float[] {0.68377243f}, pr, TOL);
    }

    @Test void optimizerStepsSplitAcrossThreadsAgreeWithTheSerialFormula() {
        int n = 100_003; // above the parallel threshold, not a multiple of the thread count
        TensorSpec flat = TensorSpec.f32(n);
        float[] p = seq(n, 0), g = fill(n, 0.5f), vel = new float[n];
        run(new SgdUpdate(0f, false), List.of(flat, flat, flat, TensorSpec.f32(2)), p, g, vel, new float[] {0.1f, 1});
        for (int i = 0; i < n; i += 9973) assertEquals(i - 0.05f, p[i], 1e-2f, "param " + i);
        assertEquals(n - 1 - 0.05f, p[n - 1], 1e-2f);
    }

    // ---- errors, arenas, ownership -------------------------------------------------------------------------

    @Test void channelMismatchIsAnInvalidOpNamingOpAndShapes() {
        InvalidOpException e = assertThrows(InvalidOpException.class, () -> cpu.compile(
                new Conv2d(Window2d.valid(3, 3, 1, 1, 1, 1), false),
                List.of(TensorSpec.f32(1, 3, 5, 5), TensorSpec.f32(8, 4, 3, 3)), null));
        assertTrue(e.getMessage().contains("conv2d") && e.getMessage().contains("f32(1, 3, 5, 5)")
                && e.getMessage().contains("f32(8, 4, 3, 3)"), e.getMessage());
    }

    @Test void f16InputsAreRejectedWithTheOpAndSpecs() {
        TensorSpec half = new TensorSpec(Shape.of(2, 4), DType.F16, Layout.CANONICAL);
        BackendException e = assertThrows(BackendException.class,
                () -> cpu.compile(new ActivationOp(ActivationOp.Kind.RELU), List.of(half), null));
        assertEquals("cpu", e.backend());
        assertTrue(e.getMessage().contains("relu") && e.getMessage().contains("f16(2, 4)"), e.getMessage());
    }

    @Test void badBuffersAreExceptionsNotCrashes() {
        TensorSpec x = TensorSpec.f32(1, 1, 4, 4), w = TensorSpec.f32(1, 1, 3, 3);
        try (Kernel conv = cpu.compile(new Conv2d(Window2d.valid(3, 3, 1, 1, 1, 1), false), List.of(x, w), null);
             Arena arena = cpu.allocate(MemoryKind.ACTIVATIONS, 1 << 20)) {
            Buffer small = arena.slice(0, 16), fine = arena.slice(64, 64), out = arena.slice(128, 64);
            Buffer scratch = conv.scratchBytes() == 0 ? null : arena.slice(256, conv.scratchBytes());
            IllegalArgumentException tooSmall = assertThrows(IllegalArgumentException.class,
                    () -> conv.run(new Buffer[] {small, fine}, new Buffer[] {out}, scratch, null));
            assertTrue(tooSmall.getMessage().contains("src[0]") && tooSmall.getMessage().contains("64"),
                    tooSmall.getMessage());
            assertThrows(IllegalArgumentException.class, () -> conv.run(new Buffer[] {fine}, new Buffer[] {out}, scratch, null));
            if (scratch != null) {
                assertThrows(IllegalArgumentException.class,
                        () -> conv.run(new Buffer[] {fine, fine}, new Buffer[] {out}, null, null));
            }
            assertThrows(IllegalArgumentException.class, () -> arena.slice(32, 16), "offset not 64-aligned");
            assertThrows(IllegalArgumentException.class, () -> arena.slice((1 << 20) - 64, 128), "past the end");
        }
    }

    @Test void closedArenasAndBackendsRefuseUseAndCloseWhatTheyOwn() {
        Backend own = new DnnlProvider().open(BackendOptions.defaults());
        Kernel relu = own.compile(new ActivationOp(ActivationOp.Kind.RELU), List.of(TensorSpec.f32(4)), null);
        Arena arena = own.allocate(MemoryKind.IO, 128);
        Buffer a = arena.slice(0, 16), b = arena.slice(64, 16);
        own.upload(a, FloatBuffer.wrap(new float[] {-1, 2, -3, 4}));
        relu.run(new Buffer[] {a}, new Buffer[] {b}, null, null);
        FloatBuffer back = FloatBuffer.allocate(4);
        own.download(b, back);
        assertArrayEquals(new float[] {0, 2, 0, 4}, back.array(), TOL);
        assertThrows(IllegalArgumentException.class, () -> cpu.upload(a, FloatBuffer.allocate(1)), "other engine's buffer");
        assertThrows(IllegalArgumentException.class, () -> own.upload(a, FloatBuffer.allocate(5)), "5 floats > 16 bytes");

        arena.close();
        assertThrows(IllegalStateException.class, () -> own.upload(a, FloatBuffer.allocate(1)));
        assertThrows(IllegalStateException.class, () -> relu.run(new Buffer[] {a}, new Buffer[] {b}, null, null));
        own.close();
        assertThrows(IllegalStateException.class, () -> relu.run(new Buffer[] {a}, new Buffer[] {b}, null, null));
        assertThrows(IllegalStateException.class, () -> own.allocate(MemoryKind.IO, 64));
        own.close(); // idempotent
    }

    @Test void providerIsFoundByNameAndReorderCopies() {
        assertEquals("cpu", Backends.provider("cpu").name());
        assertTrue(cpu.device().startsWith("oneDNN 3.11"), cpu.device());
        assertEquals(64, cpu.alignment());
        try (Kernel copy = cpu.reorder(TensorSpec.f32(2, 3), TensorSpec.f32(2, 3)); Session s = new Session()) {
            assertArrayEquals(seq(6, 1), s.run(copy, null, seq(6, 1))[0], TOL);
        }
        assertThrows(BackendException.class, () -> cpu.reorder(TensorSpec.f32(2, 3),
                new TensorSpec(Shape.of(2, 3), DType.F32, Layout.ENGINE)));
    }

    // ---- harness -------------------------------------------------------------------------------------------

    /** Compiles and runs {@code op} once; returns its outputs and copies in-place inputs back into {@code data}. */
    private static float[][] run(Op op, List<TensorSpec> specs, float[]... data) {
        try (Kernel k = cpu.compile(op, specs, null); Session s = new Session()) {
            Buffer saved = k.savedBytes() > 0 ? s.alloc(k.savedBytes()) : null;
            return s.run(k, saved, data);
        }
    }

    /** One IO arena with a bump allocator for a test's buffers. */
    private static final class Session implements AutoCloseable {
        private final Arena arena = cpu.allocate(MemoryKind.IO, 8L << 20);
        private long next;

        Buffer alloc(long bytes) {
            Buffer b = arena.slice(next, bytes);
            next += (bytes + 63) / 64 * 64;
            return b;
        }

        /** Runs {@code k} on canonical host data; engine-layout inputs and outputs go through reorder kernels. */
        float[][] run(Kernel k, Buffer saved, float[]... data) {
            Buffer[] src = new Buffer[data.length];
            for (int i = 0; i < data.length; i++) {
                TensorSpec spec = k.inputs().get(i);
                src[i] = alloc(cpu.sizeOf(spec));
                convert(canonical(spec), spec, src[i], data[i]);
            }
            List<Buffer> dst = new ArrayList<>();
            for (TensorSpec o : k.outputs()) dst.add(alloc(cpu.sizeOf(o)));
            Buffer scratch = k.scratchBytes() > 0 ? alloc(k.scratchBytes()) : null;
            k.run(src, dst.toArray(new Buffer[0]), scratch, saved);
            cpu.synchronize();
            for (int i : k.op().inPlaceInputs()) cpu.download(src[i], FloatBuffer.wrap(data[i]));
            float[][] out = new float[dst.size()][];
            for (int j = 0; j < out.length; j++) {
                TensorSpec spec = k.outputs().get(j);
                out[j] = new float[(int) spec.size()];
                Buffer from = dst.get(j);
                if (spec.layout() != Layout.CANONICAL) {
                    Buffer staging = alloc(spec.bytes());
                    try (Kernel r = cpu.reorder(spec, canonical(spec))) {
                        r.run(new Buffer[] {from}, new Buffer[] {staging}, null, null);
                    }
                    from = staging;
                }
                cpu.synchronize();
                cpu.download(from, FloatBuffer.wrap(out[j]));
            }
            return out;
        }

        /** Uploads canonical {@code data} into {@code into}, which holds {@code spec} (reordered when not canonical). */
        private void convert(TensorSpec canonical, TensorSpec spec, Buffer into, float[] data) {
            if (spec.layout() == Layout.CANONICAL) {
                cpu.upload(into, FloatBuffer.wrap(data));
                return;
            }
            Buffer staging = alloc(canonical.bytes());
            cpu.upload(staging, FloatBuffer.wrap(data));
            try (Kernel r = cpu.reorder(canonical, spec)) {
                r.run(new Buffer[] {staging}, new Buffer[] {into}, null, null);
            }
            cpu.synchronize();
        }

        @Override public void close() { arena.close(); }
    }

    private static TensorSpec canonical(TensorSpec s) { return new TensorSpec(s.shape(), s.dtype(), Layout.CANONICAL); }

    private static float[] seq(int n, float first) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = first + i;
        return a;
    }

    private static float[] fill(int n, float value) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, value);
        return a;
    }
}
