package dev.convkit.graph;

import dev.convkit.tensor.Shape;
import java.util.List;

/** A model input: a placeholder of the given shape without batch, e.g. {@code Input.of("image", 3, 32, 32)}. */
public final class Input extends Layer {
    private final Shape shape;

    private Input(String name, Shape shape) {
        super(name);
        this.shape = shape;
    }

    /** A new symbolic input; {@code dims} are (C, H, W) for images or (K) for vectors. */
    public static SymbolicTensor of(String name, int... dims) {
        Shape s;
        try {
            s = Shape.of(dims);
        } catch (IllegalArgumentException e) {
            throw new GraphException("input '" + name + "': " + e.getMessage());
        }
        return new Input(name, s).apply();
    }

    public Shape shape() { return shape; }

    @Override public String type() { return "InputLayer"; }

    @Override protected void checkInputs(List<Shape> inputs) {
        if (!inputs.isEmpty()) throw fail(inputs, "an input layer takes no inputs");
    }

    @Override List<Shape> lowerShapes(List<Shape> inputs) { return List.of(shape); }

    @Override public void lower(Lowering ctx) {
        throw new IllegalStateException("inputs are bound by the program builder, not lowered");
    }
}
