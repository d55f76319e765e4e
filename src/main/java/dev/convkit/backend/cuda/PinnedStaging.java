package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Page-locked host memory through which uploads and downloads pass (cudaMemcpyAsync needs pinned memory to copy
 * asynchronously at full speed). Allocated once per engine; transfers larger than it go in chunks.
 */
final class PinnedStaging implements AutoCloseable {
    private final Pointer memory = new Pointer();
    private final int floats;
    private final FloatBuffer view;

    PinnedStaging(int floats) {
        Check.runtime(cudaMallocHost(memory, (long) floats * Float.BYTES), "cudaMallocHost(" + floats * 4L
                + " bytes of pinned staging memory)");
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

    @Override public void close() {
        if (memory.isNull()) return;
        cudaFreeHost(memory);
        memory.setNull();
    }
}
