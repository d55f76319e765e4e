package dev.convkit.train;

import java.nio.file.Path;
import java.util.Map;

/** A {@link TrainingHost} without a model, so callbacks can be driven epoch by epoch from scripted metric values. */
final class ScriptedHost implements TrainingHost {
    private double lr;
    private final History history = new History();
    private int completed;
    private final Path runDirectory;

    ScriptedHost(double lr, Path runDirectory) {
        this.lr = lr;
        this.runDirectory = runDirectory;
    }

    @Override public double learningRate() { return lr; }

    @Override public void setLearningRate(double v) { lr = v; }

    @Override public History history() { return history; }

    @Override public int epochsCompleted() { return completed; }

    @Override public Path runDirectory() { return runDirectory; }

    /** Finishes the next epoch with these metric values, as the trainer would: history, then the callback. */
    EpochLogs endEpoch(TrainingState state, Callback c, Map<String, Double> values) {
        EpochLogs logs = new EpochLogs(completed, values);
        state.beginEpoch(completed, 1);
        history.add(logs);
        completed++;
        c.onEpochEnd(state, logs);
        return logs;
    }

    void setCompleted(int n) { completed = n; }
}
