package dev.convkit.backend.dnnl;

import dev.convkit.backend.Arena;
import dev.convkit.backend.BackendException;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.MemoryKind;
import org.bytedeco.javacpp.Pointer;

/**
 * One malloc'ed block of host memory, aligned to {@link DnnlBackend#ALIGNMENT} bytes and freed only by
 * {@link #close()} (or by closing its backend). Buffers are slices of it; using one after close is an error, never a
 * read of freed memory.
 */
final class DnnlArena implements Arena {
    private final DnnlBackend owner;
    private final MemoryKind kind;
    private final long bytes;
    /** What malloc returned (freed on close); {@link #base} is that address rounded up to the alignment. */
    private final Pointer block;
    private final long base;
    private boolean open = true;

    private DnnlArena(DnnlBackend owner, MemoryKind kind, long bytes, Pointer block, long base) {
        this.owner = owner;
        this.kind = kind;
        this.bytes = bytes;
        this.block = block;
        this.base = base;
    }

    /** Allocates {@code bytes} (≥ 0) aligned bytes; out of memory is a BackendException with requested and free bytes. */
    static DnnlArena allocate(DnnlBackend owner, MemoryKind kind, long bytes) {
        if (kind == null) throw new NullPointerException("memory kind");
        if (bytes < 0) throw new IllegalArgumentException("cannot allocate a " + kind + " arena of " + bytes + " bytes");
        int align = DnnlBackend.ALIGNMENT;
        Pointer block = Pointer.malloc(Math.max(bytes, 1) + align - 1);
        if (block == null || block.isNull()) {
            throw new BackendException(DnnlStatus.ENGINE, "out of host memory allocating a " + kind + " arena of "
                    + bytes + " bytes; " + HostMemory.describeAvailable());
        }
        long base = (block.address() + align - 1) & -(long) align;
        return new DnnlArena(owner, kind, bytes, block, base);
    }

    DnnlBackend owner() { return owner; }

    @Override public MemoryKind kind() { return kind; }

    @Override public long bytes() { return bytes; }

    @Override public Buffer slice(long offset, long length) {
        requireOpen("slice");
        if (offset < 0 || length < 0 || offset > bytes || length > bytes - offset) {
            throw new IllegalArgumentException("slice [" + offset + ", " + offset + " + " + length
                    + ") does not fit in the " + kind + " arena of " + bytes + " bytes");
        }
        if (offset % DnnlBackend.ALIGNMENT != 0) {
            throw new IllegalArgumentException("slice offset " + offset + " in the " + kind
                    + " arena is not a multiple of the cpu engine's alignment " + DnnlBackend.ALIGNMENT);
        }
        return new DnnlBuffer(this, offset, length);
    }

    boolean isOpen() { return open; }

    /** Native address of byte {@code offset}; fails once the arena is closed. */
    long address(long offset) {
        requireOpen("use a buffer of");
        return base + offset;
    }

    private void requireOpen(String what) {
        if (!open) throw new IllegalStateException("cannot " + what + " the " + kind + " arena: it was closed");
    }

    @Override public void close() {
        if (!open) return;
        open = false;
        Pointer.free(block);
        owner.forget(this);
    }

    @Override public String toString() { return "cpu " + kind + " arena of " + bytes + " bytes" + (open ? "" : " (closed)"); }
}
