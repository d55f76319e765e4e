package dev.convkit.layers;

import dev.convkit.ops.Pool2d;

/**
 * Keras {@code AveragePooling2D}: mean over each pool window; strides default to the pool size, padding to valid.
 * With {@link Padding#SAME} the mean counts only positions inside the input (TensorFlow semantics).
 */
public final class AveragePooling2D extends Pooling2D<AveragePooling2D> {
    public AveragePooling2D(String name, int pool) { this(name, pool, pool); }

    public AveragePooling2D(String name, int poolH, int poolW) { super(name, Pool2d.Kind.AVG, poolH, poolW); }

    /** An unnamed layer; the model names it from its type and position. */
    public AveragePooling2D(int pool) { this(null, pool, pool); }

    @Override AveragePooling2D self() { return this; }

    @Override public String type() { return "AveragePooling2D"; }
}
