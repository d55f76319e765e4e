package dev.convkit.backend;

/**
 * How to open an engine.
 *
 * @param threads       CPU threads for the cpu engine (0 = all cores)
 * @param deviceIndex   GPU ordinal for the cuda engine
 * @param deterministic only algorithms whose results do not vary between runs (cuDNN algorithm filtering)
 * @param scratchLimitBytes upper bound on temporary memory a single kernel may ask for (cuDNN algorithm search)
 */
public record BackendOptions(int threads, int deviceIndex, boolean deterministic, long scratchLimitBytes) {
    public static BackendOptions defaults() { return new BackendOptions(0, 0, false, 512L << 20); }

    public BackendOptions withDeterministic(boolean d) { return new BackendOptions(threads, deviceIndex, d, scratchLimitBytes); }

    public BackendOptions withThreads(int t) { return new BackendOptions(t, deviceIndex, deterministic, scratchLimitBytes); }
}
