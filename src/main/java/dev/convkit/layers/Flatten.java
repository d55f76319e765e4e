package dev.convkit.layers;

import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.ops.FlattenOp;

/**
 * Keras {@code Flatten}: (C, H, W) → (H·W·C) with features in NHWC order, exactly as Keras on channels-last data,
 * so a following {@link Dense} has Keras's weight order. A (K) input passes through unchanged.
 */
public final class Flatten extends Layer {
    public Flatten(String name) { super(name); }

    /** An unnamed layer; the model names it from its type and position. */
    public Flatten() { this(null); }

    @Override public String type() { return "Flatten"; }

    @Override public void lower(Lowering ctx) {
        ctx.output(0, ctx.emit(new FlattenOp(), ctx.input(0)).get(0));
    }
}
