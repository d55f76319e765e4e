package dev.convkit.backend.dnnl;

import org.bytedeco.javacpp.Pointer;

/**
 * A JavaCPP pointer whose address can be moved, so a kernel can hand oneDNN a new data handle on every run without
 * allocating a Java object per call. It never owns the memory it points at.
 */
final class NativeAddress extends Pointer {
    NativeAddress() { super((Pointer) null); }

    /** Points this at {@code address} (bytes) and returns it. */
    NativeAddress at(long address) {
        this.address = address;
        this.position = 0;
        return this;
    }

    /** Points this at {@code bytes} bytes from {@code address}, so {@link #asByteBuffer()} spans them. */
    NativeAddress span(long address, long bytes) {
        at(address);
        this.limit = bytes;
        this.capacity = bytes;
        return this;
    }
}
