package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaEventCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventDisableTiming;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;

import java.nio.FloatBuffer;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Page-locked host memory through which uploads and downloads pass (cudaMemcpyAsync needs pinned memory to copy
 * asynchronously at full speed), with an event recorded after the last copy queued on it. The host may touch the
 * memory only once that copy has finished ({@link #awaitLastUse}). Allocated once per engine; transfers larger than
 * it go in chunks.
 */
final class PinnedStaging implements AutoCloseable {
    private final Pointer memory = new Pointer();
    private final CUevent_st lastUse = new CUevent_st();
    private final int floats;
    private final FloatBuffer view;
    private boolean used;

    PinnedStaging(int floats) {
        Check.runtime(cudaMallocHost(memory, (long) floats * Float.BYTES), "cudaMallocHost(" + floats * 4L
                + " bytes of pinned staging memory)");
        try {
            Check.runtime(cudaEventCreateWithFlags(lastUse, cudaEventDisableTiming), "cudaEventCreateWithFlags");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.floats = floats;
        FloatPointer asFloats = new FloatPointer(memory);
        asFloats.capacity(floats).limit(floats);
        this.view = asFloats.asBuffer();
    }

    /** Capacity in floats. */
    int floats() { return floats; }

    /** The pinned memory as a host pointer for cudaMemcpyAsync. */
    Pointer pointer() { return memory; }

    /** A fresh full-capacity view of the pinned memory (position 0, limit = capacity). */
    FloatBuffer view() {
        FloatBuffer v = view.duplicate();
        v.clear();
        return v;
    }

    /** Marks the point on {@code stream} after the copy just queued on this memory. */
    void recordUse(CUstream_st stream) {
        Check.runtime(cudaEventRecord(lastUse, stream), "cudaEventRecord(staging buffer)");
        used = true;
    }

    /**
     * Waits until the copy last recorded with {@link #recordUse} has finished; returns the CUDA status (0, or an
     * asynchronous failure of earlier work on the stream, which the caller reports).
     */
    int awaitLastUse() { return used ? cudaEventSynchronize(lastUse) : 0; }

    @Override public void close() {
        if (!lastUse.isNull()) {
            cudaEventDestroy(lastUse);
            lastUse.setNull();
        }
        if (memory.isNull()) return;
        cudaFreeHost(memory);
        memory.setNull();
    }
}
