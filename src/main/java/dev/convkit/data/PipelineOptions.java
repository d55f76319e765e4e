package dev.convkit.data;

/**
 * How a {@link BatchPipeline} cuts, orders and transforms a data set. Immutable; change it with the {@code with}
 * methods.
 *
 * @param batchSize    images per batch
 * @param shuffle      a new random order every epoch (from {@code seed} and the epoch number), else data set order
 * @param seed         the one seed all randomness (order and augmentation) derives from
 * @param dropLast     drop the last, smaller batch of an epoch instead of delivering it
 * @param oneHot       also fill {@link Batch#oneHot()}
 * @param labelSmoothing ε in [0, 1): one-hot rows become (1 − ε)·onehot + ε/K (Szegedy et al. 2016; Keras's
 *                     {@code label_smoothing}); 0 leaves them exact
 * @param normalizer   applied to every image (statistics from the training set)
 * @param augmentation random transformations, after normalisation; {@link Augmentation#NONE} for evaluation
 * @param workers      background threads preparing batches (1 or 2 is plenty for 2-4 cores)
 * @param prefetch     batches prepared ahead of the consumer; bounds the memory held
 */
public record PipelineOptions(int batchSize, boolean shuffle, long seed, boolean dropLast, boolean oneHot,
                              double labelSmoothing, Normalizer normalizer, Augmentation augmentation, int workers, int prefetch) {

    public PipelineOptions {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        if (workers < 1 || workers > 16) throw new IllegalArgumentException("workers must be 1..16, got " + workers);
        if (prefetch < 1 || prefetch > 64) throw new IllegalArgumentException("prefetch must be 1..64, got " + prefetch);
        if (!(labelSmoothing >= 0 && labelSmoothing < 1)) throw new IllegalArgumentException("labelSmoothing must be in [0, 1), got " + labelSmoothing);
        if (normalizer == null || augmentation == null) throw new NullPointerException("normalizer and augmentation must be non-null");
    }

    /** Training defaults: shuffled, last partial batch kept, no normalisation or augmentation, 2 workers, 3 ahead. */
    public static PipelineOptions training(int batchSize, long seed) {
        return new PipelineOptions(batchSize, true, seed, false, false, 0, Normalizer.none(), Augmentation.NONE, 2, 3);
    }

    /** Evaluation defaults: data set order, every record, no augmentation, 1 worker, 2 ahead. */
    public static PipelineOptions evaluation(int batchSize) {
        return new PipelineOptions(batchSize, false, 0, false, false, 0, Normalizer.none(), Augmentation.NONE, 1, 2);
    }

    public PipelineOptions withShuffle(boolean s) { return new PipelineOptions(batchSize, s, seed, dropLast, oneHot, labelSmoothing, normalizer, augmentation, workers, prefetch); }

    public PipelineOptions withSeed(long s) { return new PipelineOptions(batchSize, shuffle, s, dropLast, oneHot, labelSmoothing, normalizer, augmentation, workers, prefetch); }

    public PipelineOptions withDropLast(boolean d) { return new PipelineOptions(batchSize, shuffle, seed, d, oneHot, labelSmoothing, normalizer, augmentation, workers, prefetch); }

    public PipelineOptions withOneHot(boolean o) { return new PipelineOptions(batchSize, shuffle, seed, dropLast, o, labelSmoothing, normalizer, augmentation, workers, prefetch); }

    /** One-hot rows smoothed by ε (implies {@link #oneHot()}). */
    public PipelineOptions withLabelSmoothing(double e) {
        return new PipelineOptions(batchSize, shuffle, seed, dropLast, true, e, normalizer, augmentation, workers, prefetch);
    }

    public PipelineOptions withNormalizer(Normalizer n) { return new PipelineOptions(batchSize, shuffle, seed, dropLast, oneHot, labelSmoothing, n, augmentation, workers, prefetch); }

    public PipelineOptions withAugmentation(Augmentation a) { return new PipelineOptions(batchSize, shuffle, seed, dropLast, oneHot, labelSmoothing, normalizer, a, workers, prefetch); }

    public PipelineOptions withWorkers(int w) { return new PipelineOptions(batchSize, shuffle, seed, dropLast, oneHot, labelSmoothing, normalizer, augmentation, w, prefetch); }

    public PipelineOptions withPrefetch(int p) { return new PipelineOptions(batchSize, shuffle, seed, dropLast, oneHot, labelSmoothing, normalizer, augmentation, workers, p); }
}
