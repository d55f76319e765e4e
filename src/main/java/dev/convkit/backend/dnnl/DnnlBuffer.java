package dev.convkit.backend.dnnl;

import dev.convkit.backend.Arena;
import dev.convkit.backend.BackendException;
import dev.convkit.backend.Buffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * A slice {@code [offset, offset + bytes)} of a {@link DnnlArena}. Host-side loops read it through a float view
 * that is created on first use and kept, so repeated kernel runs over the same planned buffers allocate nothing.
 */
final class DnnlBuffer implements Buffer {
    private final DnnlArena arena;
    private final long offset;
    private final long bytes;
    private FloatBuffer floats;

    DnnlBuffer(DnnlArena arena, long offset, long bytes) {
        this.arena = arena;
        this.offset = offset;
        this.bytes = bytes;
    }

    @Override public Arena arena() { return arena; }

    DnnlArena dnnlArena() { return arena; }

    @Override public long offset() { return offset; }

    @Override public long bytes() { return bytes; }

    /** Native address of the first byte; fails if the arena was closed. */
    long address() { return arena.address(offset); }

    /**
     * The slice as {@code bytes / 4} native-order floats, indexed from 0; use absolute get/put only (the view is
     * shared). Fails if the arena was closed or the slice exceeds what one Java buffer can index.
     */
    FloatBuffer floats() {
        long address = address();
        if (floats == null) {
            long count = bytes / Float.BYTES;
            if (count > Integer.MAX_VALUE) {
                throw new BackendException(DnnlStatus.ENGINE, "a host loop cannot view a buffer of " + bytes
                        + " bytes (more than " + Integer.MAX_VALUE + " floats)");
            }
            floats = count == 0 ? FloatBuffer.allocate(0)
                    : new NativeAddress().span(address, count * Float.BYTES).asByteBuffer()
                            .order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
        return floats;
    }

    @Override public String toString() { return "buffer [" + offset + ", +" + bytes + ") of " + arena; }
}
