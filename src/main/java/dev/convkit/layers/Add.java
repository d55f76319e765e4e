package dev.convkit.layers;

import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.graph.Value;
import dev.convkit.ops.AddOp;
import dev.convkit.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/** Keras {@code Add}: element-wise sum of two or more inputs of one shape (residual connections). */
public final class Add extends Layer {
    public Add(String name) { super(name); }

    /** An unnamed layer; the model names it from its type and position. */
    public Add() { this(null); }

    @Override public String type() { return "Add"; }

    @Override public List<Shape> outputShapes(List<Shape> inputs) {
        if (inputs.size() < 2) throw fail(inputs, "Add needs at least 2 inputs, got " + inputs.size());
        List<Shape> opInputs = new ArrayList<>();
        for (Shape s : inputs) opInputs.add(b1(s));
        return viaOp(new AddOp(inputs.size()), inputs, opInputs);
    }

    @Override public void lower(Lowering ctx) {
        int n = node().inputs().size();
        Value[] xs = new Value[n];
        for (int i = 0; i < n; i++) xs[i] = ctx.input(i);
        ctx.output(0, ctx.emit(new AddOp(n), xs).get(0));
    }
}
