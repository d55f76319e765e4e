package dev.convkit.train;

/**
 * Linear warm-up in front of another schedule: for global step s below W (warm-up epochs × steps per epoch,
 * rounded) the rate is {@code base·(s+1)/W}; from step W on, {@code after} decides (with {@link
 * LearningRateSchedule#constant()} the rate then stays where warm-up left it, base, until a callback changes it).
 */
public final class LinearWarmup implements LearningRateSchedule {
    private final double warmupEpochs;
    private final LearningRateSchedule after;

    public LinearWarmup(double warmupEpochs, LearningRateSchedule after) {
        if (!(warmupEpochs > 0)) throw new IllegalArgumentException("linear warm-up needs a positive number of epochs, got " + warmupEpochs);
        if (after == null) throw new IllegalArgumentException("linear warm-up needs the schedule that follows it (use constant())");
        this.warmupEpochs = warmupEpochs;
        this.after = after;
    }

    @Override public boolean perStep() { return true; }

    @Override public double rate(double base, double current, Position at) {
        long w = LearningRateSchedule.steps(warmupEpochs, at.stepsPerEpoch());
        long s = at.globalStep();
        if (s < w) return base * (s + 1) / w;
        // An epoch-wise follower is asked only at its epoch starts, as it would be on its own.
        if (!after.perStep() && at.step() != 0 && s != w) return current;
        return after.rate(base, current, new Position(at.epoch(), after.perStep() ? at.step() : 0, at.stepsPerEpoch()));
    }

    @Override public String toString() { return "warm-up(" + warmupEpochs + " epochs) then " + after; }
}
