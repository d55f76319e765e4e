package dev.convkit.data;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntFunction;

/**
 * The batches of one epoch, in order, prepared ahead on the pipeline's worker threads.
 *
 * <p>Invariant: at most {@code prefetch} batches are submitted and not yet returned; each {@link #next()} hands out
 * the oldest and submits one more. The consumer thread is the only one calling this object.
 */
public final class BatchIterator implements Iterator<Batch>, AutoCloseable {
    private final ExecutorService executor;
    private final int total;
    private final IntFunction<Batch> build;
    private final ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
    private int submitted;
    private int returned;
    private boolean closed;

    BatchIterator(ExecutorService executor, int total, int prefetch, IntFunction<Batch> build) {
        this.executor = executor;
        this.total = total;
        this.build = build;
        while (submitted < total && inFlight.size() < prefetch) submitNext();
    }

    /** Batches in this epoch. */
    public int batches() { return total; }

    @Override public boolean hasNext() { return !closed && returned < total; }

    /** The next batch, waiting for it if the workers are behind. A worker's failure is rethrown here. */
    @Override public Batch next() {
        if (closed) throw new IllegalStateException("the batch iterator is closed");
        if (returned >= total) throw new NoSuchElementException("all " + total + " batches of this epoch were returned");
        Future<Batch> head = inFlight.poll();
        if (submitted < total) submitNext();
        returned++;
        try {
            return head.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for batch " + (returned - 1), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("preparing batch " + (returned - 1) + " failed: " + e.getCause(), e.getCause());
        } catch (CancellationException e) {
            throw new IllegalStateException("batch " + (returned - 1) + " was cancelled because the pipeline was closed", e);
        }
    }

    private void submitNext() {
        int b = submitted++;
        try {
            inFlight.add(executor.submit(() -> build.apply(b)));
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the batch pipeline is closed", e);
        }
    }

    /** Cancels the batches prepared ahead; the pipeline and its threads stay usable for the next epoch. */
    @Override public void close() {
        closed = true;
        for (Future<Batch> f : inFlight) f.cancel(false);
        inFlight.clear();
    }
}
