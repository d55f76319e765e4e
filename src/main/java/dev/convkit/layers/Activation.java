package dev.convkit.layers;

import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.ops.ActivationOp;

/**
 * Keras {@code Activation}: "relu", "relu6" (Keras's {@code ReLU(max_value=6)}), "sigmoid", "tanh" element-wise on
 * any input, or "softmax" over a (K) input.
 * The output has the input's shape.
 */
public final class Activation extends Layer {
    private final ActivationOp.Kind kind;

    public Activation(String name, String activation) {
        super(name);
        this.kind = LayerArgs.activation(this, activation);
    }

    /** An unnamed layer; the model names it from its type and position. */
    public Activation(String activation) { this(null, activation); }

    /** Shorthand for {@code new Activation(name, "relu")}. */
    public static Activation relu(String name) { return new Activation(name, "relu"); }

    public ActivationOp.Kind kind() { return kind; }

    @Override public String type() { return "Activation"; }

    @Override public void lower(Lowering ctx) {
        ctx.output(0, ctx.emit(new ActivationOp(kind), ctx.input(0)).get(0));
    }
}
