package dev.convkit.backend.cuda;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Buffer;

/** A slice of a {@link CudaArena}: device memory at {@link #address()}, {@link #bytes()} long. */
final class CudaBuffer implements Buffer {
    private final CudaArena arena;
    private final long offset;
    private final long bytes;

    CudaBuffer(CudaArena arena, long offset, long bytes) {
        this.arena = arena;
        this.offset = offset;
        this.bytes = bytes;
    }

    @Override public Arena arena() { return arena; }

    @Override public long offset() { return offset; }

    @Override public long bytes() { return bytes; }

    /** Device address of the first byte. */
    long address() { return arena.address(offset); }

    /**
     * The buffer as this engine's own, with at least {@code needed} bytes, or an exception naming what is wrong
     * ({@code role} says which argument, e.g. "input 1 of conv2d").
     */
    static CudaBuffer of(Buffer b, CudaBackend owner, long needed, String role) {
        if (b == null) throw new IllegalArgumentException(role + " is null; expected a cuda buffer of " + needed + " bytes");
        if (!(b instanceof CudaBuffer cb) || cb.arena.backend() != owner) {
            throw new IllegalArgumentException(role + " is " + b + ", not a buffer of this cuda engine");
        }
        if (cb.arena.isClosed()) throw new IllegalStateException(role + " lies in a closed " + cb.arena);
        if (cb.bytes < needed) {
            throw new IllegalArgumentException(role + " has " + cb.bytes + " bytes; it needs " + needed);
        }
        return cb;
    }

    @Override public String toString() { return "cuda buffer [" + offset + ", +" + bytes + ") of " + arena; }
}
