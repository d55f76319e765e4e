package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMajor;
import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMinor;
import static org.bytedeco.cuda.global.cudart.cudaDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceProperties;
import static org.bytedeco.cuda.global.cudnn.cudnnGetVersion;

import dev.convkit.backend.BackendException;
import org.bytedeco.cuda.cudart.cudaDeviceProp;

/** What the engine reports about its GPU: index, name, compute capability, memory and the cuDNN version. */
record CudaDevice(int index, String name, int major, int minor, long totalBytes, long cudnnVersion) {

    /** Number of visible CUDA devices; throws with the runtime's message when the driver cannot be queried. */
    static int count() {
        int[] n = new int[1];
        Check.runtime(cudaGetDeviceCount(n), "cudaGetDeviceCount");
        return n[0];
    }

    /** Compute capability {major, minor} of device {@code index}. */
    static int[] computeCapability(int index) {
        int[] major = new int[1], minor = new int[1];
        Check.runtime(cudaDeviceGetAttribute(major, cudaDevAttrComputeCapabilityMajor, index), "cudaDeviceGetAttribute(major)");
        Check.runtime(cudaDeviceGetAttribute(minor, cudaDevAttrComputeCapabilityMinor, index), "cudaDeviceGetAttribute(minor)");
        return new int[] {major[0], minor[0]};
    }

    /** Queries device {@code index} (cudart and cuDNN must be loaded). */
    static CudaDevice query(int index) {
        int count = count();
        if (index < 0 || index >= count) {
            throw new BackendException(Check.ENGINE, "device index " + index + " is out of range: " + count
                    + " CUDA device(s) visible (valid: 0.." + (count - 1) + ")");
        }
        try (cudaDeviceProp p = new cudaDeviceProp()) {
            Check.runtime(cudaGetDeviceProperties(p, index), "cudaGetDeviceProperties(" + index + ")");
            return new CudaDevice(index, p.name().getString(), p.major(), p.minor(), p.totalGlobalMem(), cudnnGetVersion());
        }
    }

    /** e.g. "NVIDIA H100 80GB HBM3 (device 0, cc 9.0, 79.1 GiB, cuDNN 9.10.2)". */
    String describe() {
        long v = cudnnVersion;  // cuDNN 9 encodes major * 10000 + minor * 100 + patch
        return String.format(java.util.Locale.ROOT, "%s (device %d, cc %d.%d, %.1f GiB, cuDNN %d.%d.%d)", name, index,
                major, minor, totalBytes / (double) (1L << 30), v / 10000, v / 100 % 100, v % 100);
    }
}
