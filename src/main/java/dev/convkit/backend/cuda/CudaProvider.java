package dev.convkit.backend.cuda;

import dev.convkit.backend.Availability;
import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendException;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.BackendProvider;

/**
 * The "cuda" engine: cuDNN and cuBLAS plus our own CUDA kernels (native/kernels) on one NVIDIA GPU. Preferred over the
 * cpu engine (priority 20) wherever {@link #availability()} holds. Constructing the provider touches no native code.
 */
public final class CudaProvider implements BackendProvider {
    public CudaProvider() {}

    @Override public String name() { return Check.ENGINE; }

    @Override public int priority() { return 20; }

    /** Never throws; the reason names the missing piece (driver, device, cuDNN, cuBLAS, kernels). Cached per JVM. */
    @Override public Availability availability() { return CudaProbe.availability(); }

    @Override public Backend open(BackendOptions options) {
        Availability a = availability();
        if (!a.available()) throw new BackendException(Check.ENGINE, "cannot open the cuda engine: " + a.reason());
        return CudaBackend.open(options);
    }
}
