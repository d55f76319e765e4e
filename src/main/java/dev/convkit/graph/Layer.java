package dev.convkit.graph;

import dev.convkit.tensor.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * A layer of the functional API: configuration, parameters, and its lowering to ops, which is also its shape rule:
 * {@link #outputShapes} runs the lowering on shapes only (see {@link ShapeLowering}), so a layer states how it
 * computes and never, separately, what shape comes out.
 *
 * <p>Shapes here exclude the batch dimension. A layer is applied once ({@link #apply}); build a new one to reuse the
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

    /**
     * Checks the number and ranks of the inputs (without batch) before anything is lowered, so that the error
     * speaks of the layer ("Dense needs a (features) vector input") rather than of an op's batched operands; throw
     * via {@link #fail}. The op shape rules check the rest (sizes, windows, agreement between inputs) during the
     * shape-only lowering. Default: exactly one input of any rank.
     */
    protected void checkInputs(List<Shape> inputs) {
        if (inputs.size() != 1) throw fail(inputs, type() + " takes exactly one input");
    }

    /** For {@link #checkInputs}: exactly one (C, H, W) image input. */
    protected final void checkImageInput(List<Shape> inputs) {
        if (inputs.size() != 1) throw fail(inputs, type() + " takes exactly one input");
        if (inputs.get(0).rank() != 3) throw fail(inputs, type() + " needs a (C, H, W) image input");
    }

    /**
     * Output shapes (without batch) for these input shapes: {@link #checkInputs}, then the layer's own
     * {@link #lower} run at batch 1 in inference mode on shapes only, each op applying its shape rule. A shape an op
     * refuses throws a {@link GraphException} naming this layer, the input shapes and what the op expected.
     */
    public final List<Shape> outputShapes(List<Shape> inputs) {
        checkInputs(inputs);
        return lowerShapes(inputs);
    }

    /** The shape-only lowering; {@link Input}, which is bound rather than lowered, answers its own shape. */
    List<Shape> lowerShapes(List<Shape> inputs) { return ShapeLowering.outputShapes(this, inputs); }

    /** Parameters for these input shapes, in a fixed order. */
    public List<ParamSpec> params(List<Shape> inputs) { return List.of(); }

    /**
     * Emits the ops computing this layer's outputs: into a program at its batch size, and at batch 1 with
     * placeholder values to derive {@link #outputShapes}. So it reads inputs, parameters and the batch size only
     * through {@code ctx}, never through {@link #node()} (not yet set while shapes are derived).
     */
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

    private String label() { return name == null ? type() : name; }

    @Override public String toString() { return label() + " (" + type() + ")"; }
}
