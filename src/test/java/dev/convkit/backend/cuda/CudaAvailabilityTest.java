package dev.convkit.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Availability;
import dev.convkit.backend.BackendException;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.BackendProvider;
import dev.convkit.backend.Backends;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The cuda provider on any machine: registered through ServiceLoader, never throwing from availability(), and, on a
 * machine without the NVIDIA driver (this project's CI), unavailable with a reason naming libcuda.so.1; from a build
 * without kernels (no nvcc), unavailable with the reason that build recorded.
 */
class CudaAvailabilityTest {

    @Test
    void isRegisteredAsTheCudaEngineWithPriorityAboveCpu() {
        BackendProvider p = Backends.provider("cuda");
        assertEquals(CudaProvider.class, p.getClass());
        assertEquals("cuda", p.name());
        assertEquals(20, p.priority());
    }

    @Test
    void availabilityNeverThrowsAndIsComputedOnce() {
        Availability first = new CudaProvider().availability();
        Availability second = new CudaProvider().availability();
        assertSame(first, second, "the probe runs once per JVM: a failed native load cannot be retried");
        assertTrue(first.reason() != null && first.reason().startsWith("cuda: ") || first.available(), first.reason());
    }

    @Test
    void withoutKernelsTheReasonIsTheOneTheBuildRecorded() {
        String notBuilt = Fatbin.notBuiltReason();
        Assumptions.assumeTrue(notBuilt != null, "this build packaged the kernels");
        Availability a = new CudaProvider().availability();
        assertFalse(a.available());
        assertEquals(notBuilt, a.reason(), "a build without kernels names that first, whatever the machine has");
        assertTrue(a.reason().startsWith("cuda: the kernels were not built ("), a.reason());
    }

    @Test
    void withoutTheDriverTheReasonNamesLibcuda() {
        Assumptions.assumeFalse(driverInstalled(), "libcuda.so.1 is installed here; the GPU tests cover this machine");
        Assumptions.assumeTrue(Fatbin.notBuiltReason() == null, "the build packaged no kernels; that reason comes first");
        Availability a = new CudaProvider().availability();
        assertFalse(a.available());
        assertTrue(a.reason().startsWith("cuda: the NVIDIA driver (libcuda.so.1) is not installed: "), a.reason());
        assertTrue(a.reason().contains("libcuda.so.1: cannot open shared object file"), a.reason());
        assertTrue(a.reason().length() < 400, "reason should be short: " + a.reason());
    }

    @Test
    void openingAnUnavailableEngineFailsWithTheReason() {
        Availability a = new CudaProvider().availability();
        Assumptions.assumeFalse(a.available(), "the cuda engine is available here");
        BackendException e = assertThrows(BackendException.class, () -> new CudaProvider().open(BackendOptions.defaults()));
        assertEquals("cuda", e.backend());
        assertTrue(e.getMessage().contains(a.reason()), e.getMessage());
    }

    @Test
    void autoFallsBackToCpuWhenCudaCannotRunOnTheNamedDevice() {
        BackendOptions device99 = new BackendOptions(0, 99, false, 512L << 20);
        Availability a = new CudaProvider().availability(device99);
        assertFalse(a.available(), "no machine here has 100 GPUs");
        assertTrue(a.reason().startsWith("cuda: "), a.reason());
        Backends.Choice choice = Backends.choose("auto", device99);
        assertEquals("cpu", choice.provider().name());
        assertTrue(choice.notChosen().contains(a.reason()), choice.notChosen().toString());
    }

    @Test
    void shortMessagePrefersTheDynamicLinkerLineWithoutCachePaths() {
        UnsatisfiedLinkError cause = new UnsatisfiedLinkError("/root/.javacpp/cache/cuda.jar/org/bytedeco/cuda/linux-x86_64/"
                + "libjnicudart.so: libcuda.so.1: cannot open shared object file: No such file or directory");
        UnsatisfiedLinkError top = new UnsatisfiedLinkError("no jnicudart in java.library.path: /usr/lib");
        top.initCause(cause);
        assertEquals("libjnicudart.so: libcuda.so.1: cannot open shared object file: No such file or directory",
                CudaProbe.shortMessage(top));
        assertEquals("IllegalStateException", CudaProbe.shortMessage(new IllegalStateException()));
    }

    /** Whether the driver library is in the dynamic linker's usual places or on LD_LIBRARY_PATH. */
    private static boolean driverInstalled() {
        List<String> dirs = new ArrayList<>(List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
                "/usr/local/nvidia/lib64", "/usr/lib/wsl/lib", "/usr/lib/aarch64-linux-gnu"));
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) dirs.addAll(List.of(ld.split(File.pathSeparator)));
        for (String d : dirs) if (!d.isEmpty() && Files.exists(Path.of(d, "libcuda.so.1"))) return true;
        return false;
    }
}
