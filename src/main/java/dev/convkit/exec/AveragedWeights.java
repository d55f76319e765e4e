package dev.convkit.exec;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Backend;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.backend.MemoryKind;
import dev.convkit.ops.EmaUpdate;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * The exponential moving average of a whole PARAMS arena (trainable parameters and BN moving statistics, at the same
 * offsets), kept on the engine: one {@link EmaUpdate} kernel over the flat arena after every optimizer step, so
 * averaging costs one pass over the parameters per step and no host round trip. Averaging the BN statistics too (as
 * timm's ModelEma does) gives the averaged weights statistics that match them better than the live ones'.
 * Alignment gaps hold zeros in both arenas and stay zero.
 */
final class AveragedWeights implements AutoCloseable {
    private final EmaUpdate op;
    private final Arena arena;
    private final Kernel kernel;                    // null for a model without parameters
    private final long bytes;

    /** A zeroed average of a PARAMS arena of {@code paramBytes}; the caller fills it with the current weights. */
    AveragedWeights(Backend backend, EmaUpdate op, long paramBytes, int alignment) {
        this.op = op;
        this.bytes = paramBytes;
        Arena a = backend.allocate(MemoryKind.PARAMS, Math.max(paramBytes, alignment));
        try {
            backend.zero(a.slice(0, a.bytes()));
            TensorSpec flat = TensorSpec.f32((int) (paramBytes / 4));
            kernel = paramBytes == 0 ? null : backend.compile(op, List.of(flat, flat, TensorSpec.f32(2)), null);
        } catch (RuntimeException e) {
            a.close();
            throw e;
        }
        arena = a;
    }

    EmaUpdate op() { return op; }

    /** The average's copy of the parameter at this byte range of PARAMS. */
    Buffer slice(long offset, long bytes) { return arena.slice(offset, bytes); }

    /** Queues {@code average = d·average + (1 − d)·params} for the optimizer step in {@code hyper} [lr, t]. */
    void update(Arena params, Buffer hyper) {
        if (kernel != null) kernel.run(new Buffer[] {arena.slice(0, bytes), params.slice(0, bytes), hyper}, new Buffer[0], null, null);
    }

    @Override public void close() {
        if (kernel != null) kernel.close();
        arena.close();
    }
}
