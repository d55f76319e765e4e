package dev.convkit.train;

import java.util.List;
import java.util.Locale;

/**
 * A learning-rate schedule: the rate for the next step from the optimizer's base rate, the current rate and the
 * position in training. Epoch-wise schedules ({@link #perStep()} false) are evaluated once at the start of every
 * epoch, step-wise ones before every step.
 *
 * <p>As with Keras's {@code LearningRateScheduler}, a schedule that sets the rate overrides what callbacks such as
 * {@link ReduceLROnPlateau} did to it earlier; {@link #constant()} returns the current rate unchanged, so with it the
 * rate starts at the base rate and only callbacks change it.
 */
public interface LearningRateSchedule {

    /**
     * Where training is when a rate is asked for.
     *
     * @param epoch         0-based epoch about to run or running
     * @param step          0-based step within the epoch (0 for epoch-wise evaluation)
     * @param stepsPerEpoch batches per epoch (the last one may be partial), at least 1
     */
    record Position(int epoch, int step, int stepsPerEpoch) {
        public Position {
            if (epoch < 0 || step < 0 || stepsPerEpoch < 1) throw new IllegalArgumentException("invalid schedule position: epoch "
                    + epoch + ", step " + step + ", steps per epoch " + stepsPerEpoch);
        }

        /** 0-based index of this step counted from the start of training. */
        public long globalStep() { return (long) epoch * stepsPerEpoch + step; }
    }

    /** Names accepted by {@link #byName}, for messages and help. */
    List<String> NAMES = List.of("constant", "steps", "cosine", "onecycle");

    /** True: evaluated before every step; false: at the start of every epoch. */
    boolean perStep();

    /** The rate for the step at {@code at}; {@code base} is the optimizer's rate, {@code current} the rate in use now. */
    double rate(double base, double current, Position at);

    /** Leaves the rate alone: it starts at the base rate and only callbacks change it. */
    static LearningRateSchedule constant() { return ConstantSchedule.INSTANCE; }

    /** The Keras CIFAR ResNet example's schedule: ×1 to epoch 80, ×0.1 after 80, ×1e-2 after 120, ×1e-3 after 160, ×0.5e-3 after 180. */
    static LearningRateSchedule kerasResNetSteps() { return StepSchedule.kerasResNet(); }

    /** Cosine decay from the base rate to {@code alpha}·base over {@code decayEpochs}, after {@code warmupEpochs} of linear warm-up. */
    static LearningRateSchedule cosine(double decayEpochs, double alpha, double warmupEpochs) {
        return new CosineDecay(decayEpochs, alpha, warmupEpochs);
    }

    /** Linear warm-up from base/W to base over W = {@code warmupEpochs} of steps, then {@code after}. */
    static LearningRateSchedule linearWarmup(double warmupEpochs, LearningRateSchedule after) {
        return new LinearWarmup(warmupEpochs, after);
    }

    /** Smith's one-cycle policy over {@code totalEpochs} with the base rate as the peak (PyTorch OneCycleLR defaults). */
    static LearningRateSchedule oneCycle(int totalEpochs) { return OneCycle.withDefaults(totalEpochs); }

    /**
     * A schedule by name for a run of {@code epochs} epochs: "constant", "steps" ({@link #kerasResNetSteps()}),
     * "cosine" (to 0 over all epochs, no warm-up) or "onecycle". The message lists the valid names otherwise.
     */
    static LearningRateSchedule byName(String name, int epochs) { return byName(name, epochs, 0); }

    /**
     * {@link #byName(String, int)} after {@code warmupEpochs} of linear warm-up: "cosine" warms up and then decays to 0
     * over the remaining epochs; "constant" and "steps" are wrapped in {@link #linearWarmup}; "onecycle" has its own
     * warm-up and takes none.
     */
    static LearningRateSchedule byName(String name, int epochs, double warmupEpochs) {
        if (!(warmupEpochs >= 0 && warmupEpochs < epochs)) throw new IllegalArgumentException("warm-up epochs must be in [0, " + epochs + "), got " + warmupEpochs);
        if (warmupEpochs == 0) return byName0(name, epochs);
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("cosine")) return cosine(epochs - warmupEpochs, 0, warmupEpochs);
        if (n.equals("onecycle")) throw new IllegalArgumentException("the onecycle schedule warms up by itself; it takes no separate warm-up");
        return linearWarmup(warmupEpochs, byName0(name, epochs));
    }

    private static LearningRateSchedule byName0(String name, int epochs) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "constant": return constant();
            case "steps": return kerasResNetSteps();
            case "cosine": return cosine(epochs, 0, 0);
            case "onecycle": return oneCycle(epochs);
            default: throw new IllegalArgumentException("unknown learning-rate schedule '" + name + "'; valid schedules: "
                    + String.join(", ", NAMES));
        }
    }

    /** Whole steps in {@code epochs} (possibly fractional) epochs, rounded to nearest. */
    static long steps(double epochs, int stepsPerEpoch) { return Math.round(epochs * stepsPerEpoch); }
}
