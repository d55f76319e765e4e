package dev.convkit.backend.cuda;

import org.bytedeco.javacpp.FloatPointer;

/**
 * A JavaCPP pointer naming device memory, re-aimed with {@link #at} before each library call so that kernels pass
 * buffer addresses to cuDNN, cuBLAS and cudart without allocating anything per call. It owns nothing: the memory
 * belongs to an arena. A FloatPointer so that it also fits cuBLAS's {@code float*} parameters.
 */
final class DevicePointer extends FloatPointer {
    DevicePointer() {}

    DevicePointer(long address) { at(address); }

    /** Points this object at {@code deviceAddress} and returns it. */
    DevicePointer at(long deviceAddress) {
        this.address = deviceAddress;
        this.position = 0;
        this.limit = 0;
        this.capacity = 0;
        return this;
    }
}
