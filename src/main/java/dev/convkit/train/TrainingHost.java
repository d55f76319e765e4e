package dev.convkit.train;

import java.nio.file.Path;

/** What a {@link TrainingState} reads and changes: the {@link Trainer}, or a stand-in when callbacks are tested alone. */
interface TrainingHost {
    double learningRate();

    void setLearningRate(double lr);

    History history();

    int epochsCompleted();

    Path runDirectory();
}
