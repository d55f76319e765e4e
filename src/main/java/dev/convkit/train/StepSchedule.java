package dev.convkit.train;

import java.util.Arrays;

/**
 * Piecewise-constant epoch schedule: {@code base × multipliers[i]} once the 0-based epoch is strictly greater than
 * {@code boundaries[i]} (the last such i wins), {@code base} before the first boundary. Strictly-greater matches the
 * Keras CIFAR ResNet example's {@code lr_schedule(epoch)}: epoch 80 still runs at base, epoch 81 at base·0.1.
 */
public final class StepSchedule implements LearningRateSchedule {
    private final int[] boundaries;        // increasing epochs
    private final double[] multipliers;    // one per boundary

    public StepSchedule(int[] boundaries, double[] multipliers) {
        if (boundaries.length != multipliers.length) throw new IllegalArgumentException("step schedule needs one multiplier per boundary, got "
                + boundaries.length + " boundaries and " + multipliers.length + " multipliers");
        for (int i = 1; i < boundaries.length; i++) {
            if (boundaries[i] <= boundaries[i - 1]) throw new IllegalArgumentException("step schedule boundaries must increase: "
                    + Arrays.toString(boundaries));
        }
        for (double m : multipliers) if (!(m > 0)) throw new IllegalArgumentException("step schedule multipliers must be positive: "
                + Arrays.toString(multipliers));
        this.boundaries = boundaries.clone();
        this.multipliers = multipliers.clone();
    }

    /** The Keras seeds: ×0.1 after epoch 80, ×1e-2 after 120, ×1e-3 after 160, ×0.5e-3 after 180 (base 1e-3 there). */
    public static StepSchedule kerasResNet() {
        return new StepSchedule(new int[] {80, 120, 160, 180}, new double[] {1e-1, 1e-2, 1e-3, 0.5e-3});
    }

    /** The multiplier in force during 0-based {@code epoch}. */
    public double multiplier(int epoch) {
        double m = 1;
        for (int i = 0; i < boundaries.length; i++) if (epoch > boundaries[i]) m = multipliers[i];
        return m;
    }

    @Override public boolean perStep() { return false; }

    @Override public double rate(double base, double current, Position at) { return base * multiplier(at.epoch()); }

    @Override public String toString() {
        return "steps(after epochs " + Arrays.toString(boundaries) + " x " + Arrays.toString(multipliers) + ")";
    }
}
