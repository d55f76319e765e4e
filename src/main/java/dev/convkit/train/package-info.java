/**
 * Training, Keras style, on any engine: {@link dev.convkit.train.Trainer} runs {@code fit} / {@code evaluate} /
 * {@code predict} and the step-level {@code trainStep} / {@code testStep} over batches from
 * {@link dev.convkit.data.BatchPipeline}s.
 *
 * <ul>
 *   <li>{@link dev.convkit.train.Optimizer}: SGD, Adam, RMSprop with Keras defaults; gives the update op.</li>
 *   <li>{@link dev.convkit.train.LearningRateSchedule}: constant, the Keras ResNet step schedule, cosine decay,
 *       linear warm-up, one-cycle; evaluated per epoch or per step.</li>
 *   <li>{@link dev.convkit.train.Callback}s on a mutable {@link dev.convkit.train.TrainingState}:
 *       {@link dev.convkit.train.ReduceLROnPlateau}, {@link dev.convkit.train.EarlyStopping},
 *       {@link dev.convkit.train.ModelCheckpoint}, {@link dev.convkit.train.CsvLogger}; stateful ones are
 *       checkpointed so a resumed run decides as an uninterrupted one.</li>
 *   <li>{@link dev.convkit.train.ProgressListener}: per-batch {@link dev.convkit.train.BatchProgress} and per-epoch
 *       {@link dev.convkit.train.EpochLogs} for progress bars and summaries.</li>
 *   <li>{@link dev.convkit.train.Metrics}: loss, accuracy, top-5 accuracy averaged over samples;
 *       {@link dev.convkit.train.History}: the logs of every epoch.</li>
 *   <li>{@link dev.convkit.train.Checkpoint}: {@code checkpoint.safetensors} + {@code checkpoint.json} in a run folder,
 *       written atomically after every epoch; {@link dev.convkit.train.Trainer#resume} continues exactly.</li>
 * </ul>
 */
package dev.convkit.train;
