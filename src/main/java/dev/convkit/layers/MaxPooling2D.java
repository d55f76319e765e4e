package dev.convkit.layers;

import dev.convkit.ops.Pool2d;

/**
 * Keras {@code MaxPooling2D}: maximum over each pool window; strides default to the pool size, padding to valid.
 * With {@link Padding#SAME} padded positions never win (TensorFlow semantics).
 */
public final class MaxPooling2D extends Pooling2D<MaxPooling2D> {
    public MaxPooling2D(String name, int pool) { this(name, pool, pool); }

    public MaxPooling2D(String name, int poolH, int poolW) { super(name, Pool2d.Kind.MAX, poolH, poolW); }

    /** An unnamed layer; the model names it from its type and position. */
    public MaxPooling2D(int pool) { this(null, pool, pool); }

    @Override MaxPooling2D self() { return this; }

    @Override public String type() { return "MaxPooling2D"; }
}
