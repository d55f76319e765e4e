package dev.convkit.data;

import dev.convkit.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns a {@link Dataset} into mini-batches on background threads, so the trainer finds the next batch ready.
 *
 * <pre>{@code
 * try (BatchPipeline train = new BatchPipeline(data, PipelineOptions.training(128, 42).withAugmentation(...))) {
 *     for (int epoch = 0; epoch < epochs; epoch++) {
 *         try (BatchIterator it = train.epoch(epoch)) {
 *             while (it.hasNext()) step(it.next());
 *         }
 *     }
 * }
 * }</pre>
 *
 * <p>Reproducibility: the epoch's order is a Fisher-Yates shuffle seeded from (seed, epoch), and batch b's
 * augmentation draws come from their own generator seeded from (seed, epoch, b). So the same options give the same
 * batches whatever the number of workers or their timing, and an epoch can be replayed on its own.
 *
 * <p>Threads: {@code workers} daemon threads named {@code convkit-batch-<id>-<k>}, owned by this object;
 * {@link #close()} stops them and waits until they have exited. At most {@code prefetch} batches per open iterator
 * are prepared ahead.
 */
public final class BatchPipeline implements AutoCloseable {
    private static final AtomicInteger IDS = new AtomicInteger();

    private final Dataset data;
    private final PipelineOptions options;
    private final ExecutorService executor;
    private final List<Thread> threads = new ArrayList<>(); // guarded by itself
    private final String threadPrefix;
    private volatile boolean closed;

    public BatchPipeline(Dataset data, PipelineOptions options) {
        this.data = data;
        this.options = options;
        this.threadPrefix = "convkit-batch-" + IDS.incrementAndGet() + "-";
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, threadPrefix + count.incrementAndGet());
            t.setDaemon(true); // never keeps the JVM alive if a caller forgets close()
            synchronized (threads) { threads.add(t); }
            return t;
        };
        this.executor = Executors.newFixedThreadPool(options.workers(), factory);
    }

    /** Batches per epoch: ceil(N / batchSize), or floor when the last partial batch is dropped. */
    public int batchesPerEpoch() {
        int n = data.size(), bs = options.batchSize();
        return options.dropLast() ? n / bs : (n + bs - 1) / bs;
    }

    public Dataset dataset() { return data; }

    public PipelineOptions options() { return options; }

    /** Starts preparing epoch {@code epoch}'s batches and returns them in order. Close the iterator when done. */
    public BatchIterator epoch(int epoch) {
        if (closed) throw new IllegalStateException("the batch pipeline is closed");
        long epochSeed = Seeds.epoch(options.seed(), epoch);
        int[] order = order(epochSeed);
        return new BatchIterator(executor, batchesPerEpoch(), options.prefetch(), b -> build(epoch, b, order, epochSeed));
    }

    /** The row order of an epoch: identity, or a Fisher-Yates shuffle from the epoch seed. */
    private int[] order(long epochSeed) {
        int n = data.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (options.shuffle()) {
            SplittableRandom rng = new SplittableRandom(epochSeed);
            for (int i = n - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** Gathers, normalises and augments batch {@code b}; runs on a worker thread, reads the data set only. */
    private Batch build(int epoch, int b, int[] order, long epochSeed) {
        int bs = options.batchSize();
        int start = b * bs;
        int size = Math.min(bs, data.size() - start);
        int per = data.imageSize();
        int c = data.channels(), h = data.height(), w = data.width();
        float[] images = new float[size * per];
        float[] labels = new float[size];
        int classes = data.numClasses();
        float[] oneHot = options.oneHot() ? new float[size * classes] : null;
        float off = (float) (options.labelSmoothing() / classes), on = (float) (1 - options.labelSmoothing()) + off;
        if (oneHot != null) Arrays.fill(oneHot, off);
        int[] rows = new int[size];
        Augmentation aug = options.augmentation();
        SplittableRandom rng = new SplittableRandom(Seeds.batch(epochSeed, b));
        float[] scratch = aug.isNone() ? null : new float[per];
        float[] src = data.images();
        for (int i = 0; i < size; i++) {
            int row = order[start + i];
            rows[i] = row;
            System.arraycopy(src, row * per, images, i * per, per);
            options.normalizer().apply(images, i * per, per);
            if (scratch != null) ImageTransforms.augment(aug, rng, images, i * per, scratch, c, h, w);
            int label = data.labels()[row];
            labels[i] = label;
            if (oneHot != null) oneHot[i * classes + label] = on;
        }
        return new Batch(epoch, b, Shape.of(size, c, h, w), images, labels, oneHot, rows);
    }

    /** Stops the worker threads (cancelling batches not yet taken) and waits until every one has exited. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        executor.shutdownNow();
        boolean interrupted = false;
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("batch pipeline workers " + threadPrefix + "* did not stop within 30 s");
            }
            List<Thread> snapshot;
            synchronized (threads) { snapshot = new ArrayList<>(threads); }
            for (Thread t : snapshot) t.join(10_000);
        } catch (InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Threads this pipeline started that are still alive (none after {@link #close()}). */
    List<Thread> liveThreads() {
        synchronized (threads) { return threads.stream().filter(Thread::isAlive).toList(); }
    }

    /** The name prefix of this pipeline's worker threads. */
    String threadPrefix() { return threadPrefix; }
}
