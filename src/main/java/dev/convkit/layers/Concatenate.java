package dev.convkit.layers;

import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.graph.Value;
import dev.convkit.ops.Concat;
import dev.convkit.tensor.Shape;
import java.util.List;

/**
 * Keras {@code Concatenate} on the channel axis (Keras's default axis −1 on channels-last data): inputs
 * (Ci, H, W) that agree on H and W, or (Ci) vectors, → (ΣCi, H, W) in input order.
 */
public final class Concatenate extends Layer {
    public Concatenate(String name) { super(name); }

    /** An unnamed layer; the model names it from its type and position. */
    public Concatenate() { this(null); }

    @Override public String type() { return "Concatenate"; }

    @Override protected void checkInputs(List<Shape> inputs) {
        if (inputs.size() < 2) throw fail(inputs, "Concatenate needs at least 2 inputs, got " + inputs.size());
    }

    @Override public void lower(Lowering ctx) {
        int n = ctx.inputCount();
        Value[] xs = new Value[n];
        for (int i = 0; i < n; i++) xs[i] = ctx.input(i);
        ctx.output(0, ctx.emit(new Concat(n), xs).get(0));
    }
}
