package dev.convkit.train;

/**
 * Receives progress from {@link Trainer#fit} so a front end can draw bars and summaries. Called on the training
 * thread, after the callbacks of the same event; keep it quick (drawing a line, not I/O that blocks).
 */
public interface ProgressListener {
    /** An epoch starts; {@code epoch} is 0-based and runs {@code stepsPerEpoch} batches. */
    default void onEpochBegin(int epoch, int totalEpochs, int stepsPerEpoch) {}

    /** Reports nothing. */
    ProgressListener NONE = new ProgressListener() { };

    /** A training batch finished. */
    default void onBatchEnd(BatchProgress progress) {}

    /** Validation of the epoch starts (not called without validation data). */
    default void onValidationBegin(int epoch, int samples) {}

    /** The epoch finished; {@link EpochLogs#summary(int)} gives the Keras-like one-line summary. */
    default void onEpochEnd(EpochLogs logs, int totalEpochs) {}

    /** {@link Trainer#interrupt()} abandoned 0-based {@code epoch} before it finished; no {@link #onEpochEnd} follows for it. */
    default void onInterrupted(int epoch, int totalEpochs) {}

    /** Prints {@link EpochLogs#summary(int)} per epoch to a stream, nothing per batch: the plain, log-file mode. */
    static ProgressListener summaries(java.io.PrintStream out) {
        return new ProgressListener() {
            @Override public void onEpochEnd(EpochLogs logs, int totalEpochs) { out.println(logs.summary(totalEpochs)); }
        };
    }
}
