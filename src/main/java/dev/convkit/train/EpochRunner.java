package dev.convkit.train;

import dev.convkit.data.Batch;
import dev.convkit.data.BatchIterator;
import dev.convkit.data.BatchPipeline;
import dev.convkit.exec.CompiledModel.StepResult;
import dev.convkit.exec.NonFinite;
import dev.convkit.graph.ProgramBuilder.Labels;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One epoch of {@link Trainer#fit}: the schedule, every training step with its NaN check and progress report,
 * then validation; returns the epoch's logs. Epoch-end callbacks and checkpoints stay with the trainer.
 */
final class EpochRunner {
    private final Trainer trainer;
    private final TrainingState state;
    private final Callback[] callbacks;
    private final ProgressListener progress;

    EpochRunner(Trainer trainer, TrainingState state, Callback[] callbacks, ProgressListener progress) {
        this.trainer = trainer;
        this.state = state;
        this.callbacks = callbacks;
        this.progress = progress;
    }

    /** The epoch's logs, or null when {@link Trainer#interrupt()} abandoned it. */
    EpochLogs run(BatchPipeline train, BatchPipeline val, int epoch) {
        int steps = train.batchesPerEpoch();
        if (steps < 1) throw new IllegalArgumentException("the training data " + train.dataset() + " gives no batch of "
                + train.options().batchSize() + " (dropLast " + train.options().dropLast() + ")");
        state.beginEpoch(epoch, steps);
        LearningRateSchedule schedule = trainer.schedule();
        double base = trainer.optimizer().learningRate();
        if (!schedule.perStep()) trainer.setScheduledRate(schedule.rate(base, trainer.learningRate(), new LearningRateSchedule.Position(epoch, 0, steps)));
        for (Callback c : callbacks) c.onEpochBegin(state);
        progress.onEpochBegin(epoch, state.epochs(), steps);
        long start = System.nanoTime();
        MetricAccumulator acc = new MetricAccumulator();
        try (BatchIterator it = train.epoch(epoch)) {
            for (int step = 0; it.hasNext(); step++) {
                Batch b = it.next();
                if (schedule.perStep()) {
                    trainer.setScheduledRate(schedule.rate(base, trainer.learningRate(), new LearningRateSchedule.Position(epoch, step, steps)));
                }
                double lr = trainer.learningRate();
                StepResult r = trainer.compiledModel().trainStep(trainer.inputs(b), trainer.lossLabels(b), trainer.labels(), (float) lr);
                if (!Float.isFinite(r.loss())) throw diverged(epoch, step + 1, steps, r.loss(), lr, b);
                acc.add(r.loss(), r.probs(), b.labels(), Labels.SPARSE, b.size());
                Metrics run = acc.result();
                double elapsed = Math.max((System.nanoTime() - start) / 1e9, 1e-9);
                BatchProgress p = new BatchProgress(epoch, state.epochs(), step + 1, steps, run.samples(), run.loss(), run.accuracy(),
                        run.top5Accuracy(), lr, run.samples() / elapsed, elapsed / (step + 1) * (steps - step - 1));
                for (Callback c : callbacks) c.onBatchEnd(state, p);
                progress.onBatchEnd(p);
                if (trainer.interruptRequested()) return null;
            }
        }
        double lastLr = trainer.learningRate();
        Metrics valMetrics = null;
        if (val != null) {
            progress.onValidationBegin(epoch, val.dataset().size());
            valMetrics = trainer.evaluate(val, true);
            if (valMetrics == null) return null;
        }
        return EpochLogs.of(epoch, acc.result(), valMetrics, lastLr, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The exception for a NaN or infinite loss. The step applied no update ({@link
     * dev.convkit.exec.CompiledModel#trainStep}); with {@link TrainerBuilder#diagnoseNonFinite} on, the batch is run
     * again op by op and the message names the first op whose output is not finite, else it ends with a hint.
     */
    private TrainingException diverged(int epoch, int step, int steps, float loss, double lr, Batch b) {
        Path dir = trainer.runDirectory();
        String kept = dir == null ? "no run folder was set, so nothing was saved"
                : trainer.epochsCompleted() == 0 ? "no epoch had completed, so " + dir + " holds no checkpoint of this run"
                : "the last checkpoint in " + dir + " (after epoch " + trainer.epochsCompleted() + ") is untouched";
        String message = String.format(Locale.ROOT,
                "the loss became %s at epoch %d/%d, step %d/%d (learning rate %.4g); training stopped and this step's update "
                        + "was not applied; %s. Lower the learning rate or check the data.",
                Float.isNaN(loss) ? "NaN" : "infinite", epoch + 1, state.epochs(), step, steps, lr, kept);
        if (!trainer.diagnosesNonFinite()) {
            return new TrainingException(epoch, step, message,
                    "TrainerBuilder.diagnoseNonFinite(true) finds the first op whose output is not finite.");
        }
        NonFinite first = trainer.compiledModel().firstNonFinite(trainer.inputs(b), trainer.lossLabels(b), trainer.labels());
        return new TrainingException(epoch, step, message + " " + (first != null ? first.describe()
                : "Run again op by op, every value of this batch stayed finite: the non-finite loss did not recur."));
    }
}
