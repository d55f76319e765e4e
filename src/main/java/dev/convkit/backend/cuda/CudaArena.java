package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaFree;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.MemoryKind;

/**
 * One cudaMalloc'ed block of device memory, sliced into {@link CudaBuffer}s. Allocated by {@link CudaBackend#allocate}
 * (never inside a step) and freed by {@link #close}, which the owner calls; the backend frees any arena still open
 * when it closes.
 */
final class CudaArena implements Arena {
    private final CudaBackend backend;
    private final MemoryKind kind;
    private final long bytes;
    private final long base;
    private boolean closed;

    CudaArena(CudaBackend backend, MemoryKind kind, long bytes, long base) {
        this.backend = backend;
        this.kind = kind;
        this.bytes = bytes;
        this.base = base;
    }

    @Override public MemoryKind kind() { return kind; }

    @Override public long bytes() { return bytes; }

    CudaBackend backend() { return backend; }

    boolean isClosed() { return closed; }

    /** Device address of byte {@code offset}. */
    long address(long offset) { return base + offset; }

    @Override public Buffer slice(long offset, long length) {
        if (closed) throw new IllegalStateException("cuda " + kind + " arena of " + bytes + " bytes is closed");
        if (offset < 0 || length < 0 || offset + length > bytes) {
            throw new IllegalArgumentException("slice [" + offset + ", " + (offset + length) + ") is outside the "
                    + kind + " arena of " + bytes + " bytes");
        }
        if (offset % CudaBackend.ALIGNMENT != 0) {
            throw new IllegalArgumentException("slice offset " + offset + " in the " + kind
                    + " arena must be a multiple of the cuda alignment " + CudaBackend.ALIGNMENT);
        }
        return new CudaBuffer(this, offset, length);
    }

    @Override public void close() {
        if (closed) return;
        closed = true;
        backend.forget(this);
        if (base == 0) return;
        backend.bind();  // cudaFree acts in the current context, which another engine may have made current
        Check.runtime(cudaFree(new DevicePointer(base)), "cudaFree(" + kind + " arena, " + bytes + " bytes)");
    }

    @Override public String toString() { return "cuda " + kind + " arena (" + bytes + " bytes)"; }
}
