package dev.convkit.layers;

import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.graph.Value;
import dev.convkit.ops.AddOp;
import dev.convkit.tensor.Shape;
import java.util.List;

/** Keras {@code Add}: element-wise sum of two or more inputs of one shape (residual connections). */
public final class Add extends Layer {
    public Add(String name) { super(name); }

    /** An unnamed layer; the model names it from its type and position. */
    public Add() { this(null); }

    @Override public String type() { return "Add"; }

    @Override protected void checkInputs(List<Shape> inputs) {
        if (inputs.size() < 2) throw fail(inputs, "Add needs at least 2 inputs, got " + inputs.size());
    }

    @Override public void lower(Lowering ctx) {
        int n = ctx.inputCount();
        Value[] xs = new Value[n];
        for (int i = 0; i < n; i++) xs[i] = ctx.input(i);
        ctx.output(0, ctx.emit(new AddOp(n), xs).get(0));
    }
}
