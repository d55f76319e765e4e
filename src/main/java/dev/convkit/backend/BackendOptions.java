package dev.convkit.backend;

/**
 * How to open an engine.
 *
 * @param threads       CPU threads for the cpu engine (0 = all cores)
 * @param deviceIndex   GPU ordinal for the cuda engine
 * @param deterministic only algorithms whose results do not vary between runs (cuDNN algorithm filtering)
 * @param scratchLimitBytes upper bound on temporary memory a single kernel may ask for (cuDNN algorithm search)
 * @param fusedOps      whether the engine runs the fused ops it has ({@link Backend#fuses}, e.g. the cpu engine's
 *                      BN + ReLU); false gives every program its basic ops only, with the same arithmetic, for
 *                      before/after measurements and for bisecting a suspect fusion. On by default.
 */
public record BackendOptions(int threads, int deviceIndex, boolean deterministic, long scratchLimitBytes, boolean fusedOps) {
    /** Options with fused ops on. */
    public BackendOptions(int threads, int deviceIndex, boolean deterministic, long scratchLimitBytes) {
        this(threads, deviceIndex, deterministic, scratchLimitBytes, true);
    }

    public static BackendOptions defaults() { return new BackendOptions(0, 0, false, 512L << 20, true); }

    public BackendOptions withDeterministic(boolean d) { return new BackendOptions(threads, deviceIndex, d, scratchLimitBytes, fusedOps); }

    public BackendOptions withThreads(int t) { return new BackendOptions(t, deviceIndex, deterministic, scratchLimitBytes, fusedOps); }

    public BackendOptions withFusedOps(boolean f) { return new BackendOptions(threads, deviceIndex, deterministic, scratchLimitBytes, f); }
}
