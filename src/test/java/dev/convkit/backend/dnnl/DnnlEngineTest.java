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
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.InvalidOpException;
import dev.convkit.ops.Op;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Pool2dBwd;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.ops.SoftmaxCrossEntropy;
import dev.convkit.ops.Window2d;
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

    // ---- saved memory: max pooling's workspace ------------------------------------------------------------

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

    // ---- messages and thread splitting (the shared behaviours are conformance edge cases) ---------------------

    @Test void anOutOfRangeSparseLabelNamesTheLabelAndItsRow() {
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> run(new SoftmaxCrossEntropy(true),
                List.of(TensorSpec.f32(2, 3), TensorSpec.f32(2)), new float[6], new float[] {3, 0}));
        assertTrue(bad.getMessage().contains("label 3.0 of row 0"), bad.getMessage());
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
