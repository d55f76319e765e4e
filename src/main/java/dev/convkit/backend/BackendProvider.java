package dev.convkit.backend;

/**
 * Entry point of an engine, found through {@link java.util.ServiceLoader} (META-INF/services). Providers must be
 * cheap to construct and must not touch native libraries until {@link #availability()} or {@link #open} is called.
 */
public interface BackendProvider {
    /** Stable engine name used on the command line: "cpu", "cuda". */
    String name();

    /** Preference for {@code --engine auto}: the available provider with the highest priority wins. */
    int priority();

    /**
     * Whether this engine can run here, with a human reason when not (e.g. "cuda: libcudnn.so.9 not found in
     * LD_LIBRARY_PATH"). Never throws; the result may be cached.
     */
    Availability availability();

    /**
     * Whether this engine can run here with {@code options}, e.g. on the GPU they name; never throws. By default the
     * same as {@link #availability()}, for engines whose availability does not depend on the options.
     */
    default Availability availability(BackendOptions options) { return availability(); }

    /** Opens an engine instance that owns its native handles; the caller closes it. */
    Backend open(BackendOptions options);
}
