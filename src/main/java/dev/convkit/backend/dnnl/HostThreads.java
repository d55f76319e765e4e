package dev.convkit.backend.dnnl;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Splits host loops (optimizer updates, dropout, penalties) over the backend's threads. Small loops run inline;
 * large ones are cut into one contiguous range per thread, the first run by the caller. The worker threads are
 * daemons owned by one backend and stopped by {@link #close()}.
 */
final class HostThreads implements AutoCloseable {
    /** Elements below which splitting costs more than it saves. */
    static final int MIN_PARALLEL = 1 << 15;

    /** The body of a loop over {@code [from, to)}. */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /** A loop over {@code [from, to)} returning a partial sum. */
    @FunctionalInterface
    interface RangeSum {
        double run(int from, int to);
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int threads;
    private final Future<?>[] pending;
    private final double[] partials;
    private ExecutorService pool;

    HostThreads(int threads) {
        this.threads = Math.max(1, threads);
        this.pending = new Future<?>[this.threads];
        this.partials = new double[this.threads];
    }

    int threads() { return threads; }

    /** Runs {@code body} over {@code [0, n)}, in parallel when n is large; rethrows the first failure. */
    void forRange(int n, Range body) {
        if (threads == 1 || n < MIN_PARALLEL) {
            body.run(0, n);
            return;
        }
        int chunk = (n + threads - 1) / threads;
        inParallel(t -> body.run(Math.min(n, t * chunk), Math.min(n, t * chunk + chunk)));
    }

    /**
     * Σ of {@code body} over {@code [0, n)}: partial sums per contiguous range, added in range order, so the result
     * depends only on n and the thread count, never on timing.
     */
    double sum(int n, RangeSum body) {
        if (threads == 1 || n < MIN_PARALLEL) return body.run(0, n);
        int chunk = (n + threads - 1) / threads;
        inParallel(t -> partials[t] = body.run(Math.min(n, t * chunk), Math.min(n, t * chunk + chunk)));
        double total = 0;
        for (int t = 0; t < threads; t++) total += partials[t];
        return total;
    }

    /** Runs part(0) on the caller and part(1..threads-1) on the workers; waits for all, rethrows the first failure. */
    private void inParallel(IntConsumer part) {
        ExecutorService p = pool();
        for (int t = 1; t < threads; t++) {
            int index = t;
            pending[t] = p.submit(() -> part.accept(index));
        }
        RuntimeException failure = null;
        try {
            part.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (int t = 1; t < threads; t++) {
            try {
                pending[t].get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = new IllegalStateException("interrupted while waiting for a host loop", e);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r
                            : new IllegalStateException("host loop failed", e.getCause());
                }
            }
            pending[t] = null;
        }
        if (failure != null) throw failure;
    }

    private ExecutorService pool() {
        if (pool == null) {
            int id = POOLS.incrementAndGet();
            AtomicInteger count = new AtomicInteger();
            pool = Executors.newFixedThreadPool(threads - 1, r -> {
                Thread t = new Thread(r, "convkit-cpu-" + id + "-" + count.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    @Override public void close() {
        if (pool != null) pool.shutdownNow();
        pool = null;
    }
}
