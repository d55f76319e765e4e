package dev.convkit.train;

import java.util.Map;

/**
 * Hooks into {@link Trainer#fit}, as Keras callbacks: they read the {@link TrainingState}, may change its learning
 * rate or ask training to stop. Called on the training thread, in the order given to {@code fit}.
 *
 * <p>Order within an epoch: the schedule sets the rate, then {@link #onEpochBegin}; {@link #onBatchEnd} after every
 * training step; after validation {@link #onEpochEnd} with the epoch's logs (already in the history), then the
 * trainer writes its per-epoch checkpoint, which includes each callback's {@link #saveState()}.
 *
 * <p>A callback whose decisions depend on past epochs (best value, patience counter, cooldown) returns a non-null
 * {@link #stateKey()} and saves that state, so a resumed run decides exactly as an uninterrupted one would.
 */
public interface Callback {
    /** Before the first epoch of this {@code fit} call (also when resuming; then {@link #restoreState} follows). */
    default void onTrainBegin(TrainingState state) {}

    default void onEpochBegin(TrainingState state) {}

    default void onBatchEnd(TrainingState state, BatchProgress batch) {}

    default void onEpochEnd(TrainingState state, EpochLogs logs) {}

    /** After the last epoch, or after a stop requested by a callback. Not called when training fails. */
    default void onTrainEnd(TrainingState state) {}

    /** The key this callback's state is checkpointed under; null (the default) for stateless callbacks. */
    default String stateKey() { return null; }

    /** JSON-compatible state (numbers, strings, booleans, lists, maps); non-finite numbers come back as NaN. */
    default Map<String, Object> saveState() { return Map.of(); }

    /** Restores what {@link #saveState()} returned, after {@link #onTrainBegin} of a resumed run. */
    default void restoreState(Map<String, Object> state) {}
}
