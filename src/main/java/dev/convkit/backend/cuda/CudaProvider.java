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

    /** On the default device; see {@link #availability(BackendOptions)}. */
    @Override public Availability availability() { return availability(BackendOptions.defaults()); }

    /**
     * On the device {@code options} name. Never throws; the reason names the missing piece (driver, device, cuDNN,
     * cuBLAS, kernels). Cached per device and JVM.
     */
    @Override public Availability availability(BackendOptions options) {
        return CudaProbe.availability(options.deviceIndex());
    }

    @Override public Backend open(BackendOptions options) {
        Availability a = availability(options);
        if (!a.available()) throw new BackendException(Check.ENGINE, "cannot open the cuda engine: " + a.reason());
        return CudaBackend.open(options);
    }
}
