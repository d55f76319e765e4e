package dev.convkit.bench.ops;

import dev.convkit.backend.Backend;
import dev.convkit.bench.Engines;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What every per-op benchmark shares: the engine parameter and the engine's lifetime. The op benchmarks run in
 * JMH's sample-time mode, so the report can use the median invocation time, which stays put when another process
 * takes the CPU for a moment on a shared machine (the mean does not). An engine that cannot run
 * here fails the benchmark's setup with "skipped: engine 'cuda' is unavailable here: REASON", which JMH prints
 * for that benchmark (BenchMain leaves such engines out up front and records the reason instead).
 */
@State(Scope.Benchmark)
public abstract class EngineBenchmark {
    /** ConvKit engine name: "cpu" (oneDNN), "cuda" (cuDNN). */
    @Param({"cpu", "cuda"})
    public String engine;

    private Backend backend;
    private final List<AutoCloseable> owned = new ArrayList<>();

    /** Opens the engine named by {@link #engine}; closed by {@link #closeAll()} after everything else. */
    protected Backend openEngine() {
        backend = Engines.open(engine);
        return backend;
    }

    /** Registers something to close (in reverse order) before the engine. */
    protected <T extends AutoCloseable> T own(T resource) {
        owned.add(resource);
        return resource;
    }

    protected void closeAll() throws Exception {
        for (int i = owned.size() - 1; i >= 0; i--) owned.get(i).close();
        owned.clear();
        if (backend != null) backend.close();
        backend = null;
    }
}
