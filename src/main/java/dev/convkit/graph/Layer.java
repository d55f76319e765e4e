package dev.convkit.graph;

import dev.convkit.ops.Op;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A layer of the functional API: configuration, shape rule, parameters, and its lowering to ops.
 * Shapes here exclude the batch dimension. A layer is applied once ({@link #apply}); build a new one to reuse the
 * configuration. Its name is structural ("stage2/block1/conv1"); unnamed layers get "&lt;type&gt;_&lt;k&gt;" numbered in
 * the model's topological order when the {@link Model} is built, so names depend on structure only.
 */
public abstract class Layer {
    private String name;
    private Node node;

    protected Layer(String name) {
        if (name != null && (name.isBlank() || name.startsWith("/") || name.endsWith("/") || name.contains("//"))) {
            throw new GraphException("invalid layer name '" + name + "': use non-empty parts separated by single '/'");
        }
        this.name = name;
    }

    /** Keras class name shown by summary(), e.g. "Conv2D". */
    public abstract String type();

    /** Output shapes (without batch) for these input shapes; throw via {@link #fail} when they are not acceptable. */
    public abstract List<Shape> outputShapes(List<Shape> inputs);

    /** Parameters for these input shapes, in a fixed order. */
    public List<ParamSpec> params(List<Shape> inputs) { return List.of(); }

    /** Emits the ops computing this layer's outputs. */
    public abstract void lower(Lowering ctx);

    public final String name() { return name; }

    final boolean hasName() { return name != null; }

    final void assignName(String n) { this.name = n; }

    /** The node this layer was applied in, or null before {@link #apply}. */
    public final Node node() { return node; }

    /** Applies the layer to symbolic inputs, checking shapes now; returns the first output. */
    public final SymbolicTensor apply(SymbolicTensor... inputs) { return applyAll(inputs).get(0); }

    /** Applies the layer and returns every output. */
    public final List<SymbolicTensor> applyAll(SymbolicTensor... inputs) {
        if (node != null) throw new GraphException("layer '" + label() + "' (" + type() + ") is already applied; create a new layer to apply it again");
        for (SymbolicTensor t : inputs) if (t == null) throw new GraphException("layer '" + label() + "' got a null input");
        List<Shape> in = Arrays.stream(inputs).map(SymbolicTensor::shape).toList();
        List<Shape> out = outputShapes(in);
        node = new Node(this, Arrays.asList(inputs), out);
        return node.outputs();
    }

    /** A {@link GraphException} naming this layer, its input shapes and the expectation. */
    protected final GraphException fail(List<Shape> inputs, String expected) {
        return new GraphException("layer '" + label() + "' (" + type() + ") cannot take input shape"
                + (inputs.size() == 1 ? " " + inputs.get(0) : "s " + inputs) + ": " + expected);
    }

    /** Output shapes from an op's shape rule at batch 1, turning its exception into one that names this layer. */
    protected final List<Shape> viaOp(Op op, List<Shape> inputs, List<Shape> opInputsWithoutBatch) {
        List<TensorSpec> specs = new ArrayList<>();
        for (Shape s : opInputsWithoutBatch) specs.add(TensorSpec.f32(s));
        try {
            return op.outputs(specs).stream().map(t -> t.shape().dropBatch()).toList();
        } catch (IllegalArgumentException e) { // InvalidOpException and Shape.of failures
            throw fail(inputs, e.getMessage());
        }
    }

    /** For the op rules: the batch-1 form of a shape. */
    protected static Shape b1(Shape s) { return s.withBatch(1); }

    private String label() { return name == null ? type() : name; }

    @Override public String toString() { return label() + " (" + type() + ")"; }
}
