package dev.convkit.exec;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Backend;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.backend.MemoryKind;
import dev.convkit.tensor.TensorSpec;

/**
 * An engine-side copy of the non-trainable part of the PARAMS arena (the BN moving statistics, which a training
 * step's forward pass updates in place), taken before each training step so that a step whose loss is not finite
 * can be undone. One copy kernel each way over the flat slice (alignment gaps included): no host round trip, so
 * saving costs one small asynchronous copy per step. Empty (a no-op) when the model has no such state.
 */
final class StateBackup implements AutoCloseable {
    private final Buffer state;
    private final Arena copy, scratchArena;
    private final Kernel kernel;   // dst = src over the slice, both ways
    private final Buffer saved, scratch;

    StateBackup(Backend backend, Buffer state) {
        this.state = state;
        if (state.bytes() == 0) {
            copy = scratchArena = null;
            kernel = null;
            saved = scratch = null;
            return;
        }
        TensorSpec flat = TensorSpec.f32((int) (state.bytes() / 4));
        Kernel k = backend.reorder(flat, flat);
        Arena c = null, sc = null;
        try {
            c = backend.allocate(MemoryKind.PARAMS, state.bytes());
            if (k.scratchBytes() > 0) sc = backend.allocate(MemoryKind.SCRATCH, k.scratchBytes());
        } catch (RuntimeException e) {
            if (c != null) c.close();
            k.close();
            throw e;
        }
        kernel = k;
        copy = c;
        scratchArena = sc;
        saved = c.slice(0, state.bytes());
        scratch = sc == null ? null : sc.slice(0, k.scratchBytes());
    }

    /** Queues the copy of the state into the backup. */
    void save() { if (kernel != null) kernel.run(new Buffer[] {state}, new Buffer[] {saved}, scratch, null); }

    /** Queues the copy of the backup back into the state. */
    void restore() { if (kernel != null) kernel.run(new Buffer[] {saved}, new Buffer[] {state}, scratch, null); }

    @Override public void close() {
        if (kernel == null) return;
        kernel.close();
        copy.close();
        if (scratchArena != null) scratchArena.close();
    }
}
