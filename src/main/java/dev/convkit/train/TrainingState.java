package dev.convkit.train;

import java.nio.file.Path;

/**
 * The mutable state of one {@link Trainer#fit} call as callbacks see it: position, learning rate (settable), the
 * stop flag and the history. The rate and history are the trainer's own, so changes persist across epochs and into
 * checkpoints.
 */
public final class TrainingState {
    private final TrainingHost host;
    private final int epochs;
    private final boolean resumed;
    private int epoch;
    private int stepsPerEpoch;
    private String stopReason;      // null while training goes on

    TrainingState(TrainingHost host, int epochs, boolean resumed, int stepsPerEpoch) {
        this.host = host;
        this.epochs = epochs;
        this.resumed = resumed;
        this.stepsPerEpoch = stepsPerEpoch;
        this.epoch = host.epochsCompleted();
    }

    void beginEpoch(int e, int steps) {
        epoch = e;
        stepsPerEpoch = steps;
    }

    /** The trainer running this fit (for its model's weights and checkpoints). */
    public Trainer trainer() {
        if (host instanceof Trainer t) return t;
        throw new IllegalStateException("this training state belongs to no trainer");
    }

    /** The epoch count {@code fit} trains to (the last 0-based epoch is epochs − 1). */
    public int epochs() { return epochs; }

    /** The 0-based epoch running now (or about to run). */
    public int epoch() { return epoch; }

    public int stepsPerEpoch() { return stepsPerEpoch; }

    /** Epochs finished, including those before a resume. */
    public int epochsCompleted() { return host.epochsCompleted(); }

    /** True when this {@code fit} continues earlier epochs (after {@link Trainer#resume} or a previous fit). */
    public boolean resumed() { return resumed; }

    public double learningRate() { return host.learningRate(); }

    /** Sets the rate used from the next step on (a schedule may set it again at its next evaluation). */
    public void setLearningRate(double lr) { host.setLearningRate(lr); }

    /** Asks training to stop after the current epoch (its logs, callbacks and checkpoint still complete). */
    public void requestStop(String reason) { if (stopReason == null) stopReason = reason; }

    public boolean stopRequested() { return stopReason != null; }

    /** Why training was asked to stop, or null. */
    public String stopReason() { return stopReason; }

    public History history() { return host.history(); }

    /** The trainer's run folder (per-epoch checkpoints), or null when it writes none. */
    public Path runDirectory() { return host.runDirectory(); }
}
