package dev.convkit.bench.ops;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Backend;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.backend.MemoryKind;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Op;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One op compiled on an engine with every buffer it touches, as the executor runs it: inputs and outputs in one IO
 * arena (f32, filled with values in [0.5, 1.5) so no NaN, infinity or denormal can skew a timing; an input whose
 * spec is in {@link Layout#ENGINE} is filled through the engine's reorder kernel, as activations arrive in a
 * training step; see {@link #activation}), a
 * scratch arena of the kernel's {@link Kernel#scratchBytes()}, and saved memory: its own when the kernel keeps some
 * for a backward op, or its forward fixture's when it is a backward op compiled with that kernel as hint.
 * {@link #run()} is one kernel call followed by a synchronise, which is what a benchmark invocation times.
 */
final class OpFixture implements AutoCloseable {
    private final Backend engine;
    private final Kernel kernel;
    private final List<Arena> arenas = new ArrayList<>();
    private final Buffer[] src, dst;
    private final Buffer scratch, saved;

    /**
     * @param forward the fixture of the forward op this backward op differentiates, already run once so its saved
     *                memory is filled; null for a forward op
     */
    OpFixture(Backend engine, Op op, List<TensorSpec> inputs, OpFixture forward, long seed) {
        this.engine = engine;
        this.kernel = engine.compile(op, inputs, forward == null ? null : forward.kernel);
        boolean ok = false;
        try {
            List<TensorSpec> ins = kernel.inputs(), outs = kernel.outputs();
            int align = engine.alignment();
            long[] inAt = new long[ins.size()], outAt = new long[outs.size()];
            long at = 0;
            for (int i = 0; i < inAt.length; i++) { inAt[i] = at; at += round(engine.sizeOf(ins.get(i)), align); }
            for (int i = 0; i < outAt.length; i++) { outAt[i] = at; at += round(engine.sizeOf(outs.get(i)), align); }
            Arena io = allocate(MemoryKind.IO, at);
            src = new Buffer[ins.size()];
            dst = new Buffer[outs.size()];
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 0; i < src.length; i++) {
                src[i] = io.slice(inAt[i], engine.sizeOf(ins.get(i)));
                float[] v = new float[Math.toIntExact(ins.get(i).size())];
                for (int j = 0; j < v.length; j++) v[j] = 0.5f + (float) r.nextDouble();
                fill(src[i], ins.get(i), v);
            }
            for (int i = 0; i < dst.length; i++) dst[i] = io.slice(outAt[i], engine.sizeOf(outs.get(i)));
            long scratchBytes = kernel.scratchBytes();
            scratch = scratchBytes > 0 ? allocate(MemoryKind.SCRATCH, scratchBytes).slice(0, scratchBytes) : null;
            if (forward != null) {
                saved = forward.saved;
            } else if (kernel.savedBytes() > 0) {
                saved = allocate(MemoryKind.SAVED, kernel.savedBytes()).slice(0, kernel.savedBytes());
            } else {
                saved = null;
            }
            ok = true;
        } finally {
            if (!ok) close();
        }
    }

    /**
     * {@code spec} as the executor hands it to a kernel when it is an activation (or an activation's gradient): in
     * the engine's own layout when this engine keeps activations in one (its convolution writes {@link
     * Layout#ENGINE}), else canonical. Weights stay canonical, as parameters are.
     */
    static TensorSpec activation(Backend engine, TensorSpec spec) {
        if (spec.rank() != 4 || !keepsEngineLayout(engine)) return spec;
        return new TensorSpec(spec.shape(), spec.dtype(), Layout.ENGINE);
    }

    private static boolean keepsEngineLayout(Backend engine) {
        Conv2d probe = new Conv2d(Window2d.valid(1, 1, 1, 1, 1, 1), false);
        try (Kernel k = engine.compile(probe, List.of(TensorSpec.f32(1, 8, 2, 2), TensorSpec.f32(8, 8, 1, 1)), null)) {
            return k.outputs().get(0).layout() == Layout.ENGINE;
        }
    }

    /** Writes canonical {@code values} into {@code dst}, through a reorder kernel when {@code spec} is engine layout. */
    private void fill(Buffer dst, TensorSpec spec, float[] values) {
        if (spec.layout() == Layout.CANONICAL) {
            engine.upload(dst, FloatBuffer.wrap(values));
            return;
        }
        TensorSpec canonical = new TensorSpec(spec.shape(), spec.dtype(), Layout.CANONICAL);
        long bytes = engine.sizeOf(canonical);
        Buffer staging = allocate(MemoryKind.IO, bytes).slice(0, bytes);
        engine.upload(staging, FloatBuffer.wrap(values));
        try (Kernel reorder = engine.reorder(canonical, spec)) {
            long scratchBytes = reorder.scratchBytes();
            Buffer tmp = scratchBytes > 0 ? allocate(MemoryKind.SCRATCH, scratchBytes).slice(0, scratchBytes) : null;
            reorder.run(new Buffer[] {staging}, new Buffer[] {dst}, tmp, null);
            engine.synchronize();
        }
    }

    private Arena allocate(MemoryKind kind, long bytes) {
        Arena a = engine.allocate(kind, Math.max(bytes, engine.alignment()));
        arenas.add(a);
        return a;
    }

    private static long round(long bytes, int align) { return (bytes + align - 1) / align * align; }

    /** One kernel run, waited for. */
    void run() {
        kernel.run(src, dst, scratch, saved);
        engine.synchronize();
    }

    /** Bytes of the kernel's scratch: reported so a reader sees the reorder copies an op carries. */
    long scratchBytes() { return kernel.scratchBytes(); }

    @Override public void close() {
        for (int i = arenas.size() - 1; i >= 0; i--) arenas.get(i).close();
        arenas.clear();
        kernel.close();
    }
}
