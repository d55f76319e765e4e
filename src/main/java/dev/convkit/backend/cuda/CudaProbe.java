package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cudart.cudaErrorNoDevice;
import static org.bytedeco.cuda.global.cudart.cudaGetDevice;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudnn.cudnnCnnVersionCheck;
import static org.bytedeco.cuda.global.cudnn.cudnnCreate;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroy;
import static org.bytedeco.cuda.global.cudnn.cudnnOpsVersionCheck;

import dev.convkit.backend.Availability;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudnn.cudnnContext;
import org.bytedeco.javacpp.Loader;

/**
 * Decides whether the cuda engine can run on a given device here, step by step, and says exactly why not: the cudart
 * JNI library (which needs the driver's libcuda.so.1 just to load), the device visible, compute capability 7.5 or
 * newer, cuDNN 9 and cuBLAS loaded, packaged kernels with code for the device, and a cuDNN handle (with its ops and
 * cnn sub-libraries) and a cuBLAS handle created and destroyed on the device, so a broken install is caught here and
 * {@code --engine auto} falls back. Never throws; computed once per device and JVM because a failed native load
 * cannot be retried (the JavaCPP class stays unusable) and ServiceLoader makes a new provider per lookup.
 */
final class CudaProbe {
    private static final int MIN_MAJOR = 7;
    private static final int MIN_MINOR = 5;
    private static final Map<Integer, Availability> CACHED = new HashMap<>();

    private CudaProbe() {}

    /** Whether the engine can run on CUDA device {@code device} (BackendOptions.deviceIndex). */
    static synchronized Availability availability(int device) {
        Availability a = CACHED.get(device);
        if (a == null) {
            try {
                a = probe(device);
            } catch (Throwable t) {
                a = Availability.no("cuda: unexpected failure while probing device " + device + ": " + shortMessage(t));
            }
            CACHED.put(device, a);
        }
        return a;
    }

    private static Availability probe(int device) {
        String notBuilt = Fatbin.notBuiltReason();
        if (notBuilt != null) return Availability.no(notBuilt);  // a build fact: first, whatever the machine has
        try {
            Loader.load(org.bytedeco.cuda.global.cudart.class);
        } catch (Throwable t) {
            String why = shortMessage(t);
            if (why.contains("libcuda.so")) {
                return Availability.no("cuda: the NVIDIA driver (libcuda.so.1) is not installed: " + why);
            }
            if (why.contains("libcudart")) {
                return Availability.no("cuda: the CUDA runtime (libcudart.so.13) was not found (searched: "
                        + searchPath() + "): " + why);
            }
            return Availability.no("cuda: the cudart JNI library failed to load: " + why);
        }
        int[] count = new int[1];
        int status = cudaGetDeviceCount(count);
        if (status == cudaErrorNoDevice || (status == 0 && count[0] == 0)) {
            return Availability.no("cuda: no CUDA device is visible (check nvidia-smi and CUDA_VISIBLE_DEVICES)");
        }
        if (status != 0) {
            return Availability.no("cuda: cudaGetDeviceCount failed: " + Check.describe(Check.Library.RUNTIME, status)
                    + " (status " + status + ")");
        }
        if (device < 0 || device >= count[0]) {
            return Availability.no("cuda: device " + device + " is not visible: " + count[0] + " CUDA device(s), valid "
                    + "indices 0.." + (count[0] - 1) + " (check BackendOptions.deviceIndex and CUDA_VISIBLE_DEVICES)");
        }
        int[] cc = CudaDevice.computeCapability(device);
        if (cc[0] < MIN_MAJOR || (cc[0] == MIN_MAJOR && cc[1] < MIN_MINOR)) {
            return Availability.no("cuda: device " + device + " has compute capability " + cc[0] + "." + cc[1] + "; the cuda engine needs "
                    + MIN_MAJOR + "." + MIN_MINOR + " or newer");
        }
        Availability libs = loadLibrary(org.bytedeco.cuda.global.cudnn.class, "libcudnn.so.9");
        if (libs != null) return libs;
        libs = loadLibrary(org.bytedeco.cuda.global.cublas.class, "libcublas.so.13");
        if (libs != null) return libs;

        byte[] image = Fatbin.readPackaged();
        if (image == null) {
            return Availability.no("cuda: the kernel binary " + Fatbin.resourcePath() + " is not on the class path"
                    + "; build with nvcc installed, see native/README.md");
        }
        Fatbin fatbin;
        try {
            fatbin = Fatbin.parse(image);
        } catch (IllegalArgumentException e) {
            return Availability.no("cuda: the kernel binary " + Fatbin.resourcePath() + " is damaged: " + e.getMessage());
        }
        if (!fatbin.runsOn(cc[0], cc[1])) {
            return Availability.no("cuda: the packaged kernels hold code for " + fatbin.describe() + ", none of which runs"
                    + " on compute capability " + cc[0] + "." + cc[1] + "; rebuild with -Dconvkit.cudaArchs=\"" + cc[0] + cc[1]
                    + ";80;90\" (native/README.md)");
        }
        Availability handles = handles(device);
        if (handles != null) return handles;
        return Availability.yes(CudaDevice.query(device).describe() + ", " + count[0] + " device(s), kernels "
                + fatbin.describe());
    }

    /**
     * Creates and destroys a cuDNN handle (and loads the ops and cnn sub-libraries the engine calls) and a cuBLAS
     * handle on {@code device}; null when all worked, else the reason. The calling thread's current device is restored.
     */
    private static Availability handles(int device) {
        int[] previous = new int[1];
        Check.runtime(cudaGetDevice(previous), "cudaGetDevice");
        Check.runtime(cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        try {
            cudnnContext cudnn = new cudnnContext();
            int status = cudnnCreate(cudnn);
            if (status != 0) return handleFailure("cuDNN", "cudnnCreate", device, Check.Library.CUDNN, status);
            cudnnDestroy(cudnn);
            status = cudnnOpsVersionCheck();
            if (status != 0) {
                return handleFailure("cuDNN's ops library (libcudnn_ops.so.9)", "cudnnOpsVersionCheck", device,
                        Check.Library.CUDNN, status);
            }
            status = cudnnCnnVersionCheck();
            if (status != 0) {
                return handleFailure("cuDNN's cnn library (libcudnn_cnn.so.9)", "cudnnCnnVersionCheck", device,
                        Check.Library.CUDNN, status);
            }
            cublasContext cublas = new cublasContext();
            status = cublasCreate_v2(cublas);
            if (status != 0) return handleFailure("cuBLAS", "cublasCreate", device, Check.Library.CUBLAS, status);
            cublasDestroy_v2(cublas);
            return null;
        } finally {
            if (previous[0] != device) cudaSetDevice(previous[0]);
        }
    }

    private static Availability handleFailure(String what, String call, int device, Check.Library library, int status) {
        return Availability.no("cuda: " + what + " cannot start on device " + device + ": " + call + " failed with "
                + Check.describe(library, status) + " (status " + status + "); check that cuDNN 9 and cuBLAS 13 are "
                + "complete and match the driver (searched: " + searchPath() + ")");
    }

    /** Loads a JavaCPP preset's native library; null when it loaded, else the reason naming the missing library. */
    private static Availability loadLibrary(Class<?> preset, String library) {
        try {
            Loader.load(preset);
            return null;
        } catch (Throwable t) {
            return Availability.no("cuda: " + library + " not found (searched: " + searchPath() + "): " + shortMessage(t));
        }
    }

    private static String searchPath() {
        String ld = System.getenv("LD_LIBRARY_PATH");
        return "java.library.path=" + System.getProperty("java.library.path") + ", LD_LIBRARY_PATH="
                + (ld == null || ld.isEmpty() ? "(unset)" : ld);
    }

    /**
     * The most specific line of a load failure. JavaCPP wraps the dynamic linker's message ("libcuda.so.1: cannot
     * open shared object file") as a cause of a generic "no jnicudart in java.library.path"; prefer the deepest
     * message naming a shared object, and keep it short.
     */
    static String shortMessage(Throwable t) {
        String best = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (m == null) continue;
            if (best == null || m.contains(".so")) best = m;
        }
        if (best == null) return t.getClass().getSimpleName();
        String cut = best.replaceFirst("^/\\S*/(?=[^/\\s]+:)", "");  // drop the JNI library's cache directory
        return cut.length() > 240 ? cut.substring(0, 240) + "..." : cut;
    }
}
