package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cudart.cudaErrorNoDevice;
import static org.bytedeco.cuda.global.cudart.cudaGetDeviceCount;

import dev.convkit.backend.Availability;
import org.bytedeco.javacpp.Loader;

/**
 * Decides whether the cuda engine can run here, step by step, and says exactly why not: the cudart JNI library (which
 * needs the driver's libcuda.so.1 just to load), a visible device, compute capability 7.5 or newer, cuDNN 9 and
 * cuBLAS, and packaged kernels with code for the device. Never throws; computed once per JVM because a failed native
 * load cannot be retried (the JavaCPP class stays unusable) and ServiceLoader makes a new provider per lookup.
 */
final class CudaProbe {
    private static final int MIN_MAJOR = 7;
    private static final int MIN_MINOR = 5;
    private static Availability cached;

    private CudaProbe() {}

    static synchronized Availability availability() {
        if (cached == null) {
            try {
                cached = probe();
            } catch (Throwable t) {
                cached = Availability.no("cuda: unexpected failure while probing the GPU: " + shortMessage(t));
            }
        }
        return cached;
    }

    private static Availability probe() {
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
        int[] cc = CudaDevice.computeCapability(0);
        if (cc[0] < MIN_MAJOR || (cc[0] == MIN_MAJOR && cc[1] < MIN_MINOR)) {
            return Availability.no("cuda: device 0 has compute capability " + cc[0] + "." + cc[1] + "; the cuda engine needs "
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
        CudaDevice device = CudaDevice.query(0);
        return Availability.yes(device.describe() + ", " + count[0] + " device(s), kernels " + fatbin.describe());
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
