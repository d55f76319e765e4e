package dev.convkit.cli;

import dev.convkit.train.Checkpoint;
import dev.convkit.train.LearningRateSchedule;
import java.util.Locale;
import java.util.Optional;

/**
 * What {@code fit --resume --epochs N} does to the learning-rate schedule when N differs from the total the run was
 * started (or last resumed) with. The schedule is always built for the run's current total, so:
 * <ul>
 *   <li>{@code cosine} and {@code onecycle} depend on the total and are <b>stretched</b> over the new one: from the
 *       next epoch on, the rate is what an N-epoch run would have there (for a longer run a warm restart: the rate
 *       rises again, then decays to the end of epoch N);</li>
 *   <li>{@code constant} and {@code steps} (the Keras ResNet steps, fixed epoch numbers) do not depend on the total
 *       and go on as they were; a rate reduced by ReduceLROnPlateau stays reduced.</li>
 * </ul>
 * The message states the change in numbers, so it never happens without a word.
 */
final class ScheduleExtension {
    private ScheduleExtension() {}

    /** The help text of this behaviour, for {@code fit --help}. */
    static final String HELP = "With --resume, a cosine or onecycle schedule is stretched over the new total of --epochs "
            + "(the rate of the next epoch is what a run of the new length has there); constant and steps go on unchanged.";

    /**
     * The line printed on resume when the schedule changes, or empty when it continues exactly.
     *
     * @param checkpoint    the run's last checkpoint (its run info holds the total it was trained for)
     * @param resumed       the settings of the continued run, with the new total
     * @param stepsPerEpoch training batches per epoch
     */
    static Optional<String> describe(Checkpoint checkpoint, FitConfig resumed, int stepsPerEpoch) {
        int planned = FitConfig.fromRunInfo(checkpoint.runInfo(), null).epochs();
        String name = resumed.schedule();
        if (planned == resumed.epochs() || !(name.equals("cosine") || name.equals("onecycle"))) return Optional.empty();
        int done = checkpoint.progress().epochsCompleted();
        double last = checkpoint.progress().learningRate();
        LearningRateSchedule stretched = resumed.buildSchedule();
        double base = resumed.buildOptimizer().learningRate();
        double next = stretched.rate(base, last, new LearningRateSchedule.Position(done, 0, stepsPerEpoch));
        String direction = next > last ? "rises" : next < last ? "falls" : "stays";
        return Optional.of(String.format(Locale.ROOT,
                "schedule: %s was planned over %d epochs and is stretched over %d: the rate %s from %.2e (last step of epoch %d) to %.2e "
                        + "at the start of epoch %d, then follows a %d-epoch %s schedule to its end",
                name, planned, resumed.epochs(), direction, last, done, next, done + 1, resumed.epochs(), name));
    }
}
