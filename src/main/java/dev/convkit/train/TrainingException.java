package dev.convkit.train;

/**
 * Training stopped because it cannot go on meaningfully, e.g. the loss became NaN or infinite. Carries the 0-based
 * epoch and the 1-based step within it where it happened; checkpoints written before are left untouched.
 */
public final class TrainingException extends RuntimeException {
    private final int epoch;
    private final int step;

    public TrainingException(int epoch, int step, String message) {
        super(message);
        this.epoch = epoch;
        this.step = step;
    }

    /** 0-based epoch in which training stopped. */
    public int epoch() { return epoch; }

    /** 1-based step within that epoch. */
    public int step() { return step; }
}
