package dev.convkit.backend;

/**
 * One block of engine memory of a single {@link MemoryKind}, allocated once and sliced into buffers. Its owner
 * closes it; buffers sliced from it are invalid afterwards. No finalizers: closing is the only way memory is freed.
 */
public interface Arena extends AutoCloseable {
    MemoryKind kind();

    long bytes();

    /** A view of {@code bytes} bytes at {@code offset}; offset must respect {@link Backend#alignment()}. */
    Buffer slice(long offset, long bytes);

    @Override void close();
}
