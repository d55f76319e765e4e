package dev.convkit.graph;

/** What a parameter is; decides whether it is trained and how it is counted (Keras: BN moving stats are non-trainable). */
public enum ParamKind {
    KERNEL(true), BIAS(true), GAMMA(true), BETA(true), MOVING_MEAN(false), MOVING_VARIANCE(false);

    private final boolean trainable;

    ParamKind(boolean trainable) { this.trainable = trainable; }

    public boolean trainable() { return trainable; }
}
