package dev.convkit.graph;

import dev.convkit.tensor.Shape;

/**
 * A tensor of the functional graph before any data exists: the output {@code index} of {@code node}, with its
 * shape without the batch dimension (Keras convention), e.g. (32, 16, 16) for a [N, 32, 16, 16] activation.
 */
public final class SymbolicTensor {
    private final Node node;
    private final int index;
    private final Shape shape;

    SymbolicTensor(Node node, int index, Shape shape) {
        this.node = node;
        this.index = index;
        this.shape = shape;
    }

    public Node node() { return node; }

    public int index() { return index; }

    public Shape shape() { return shape; }

    /** "layer_name" or "layer_name:1" for a second output. */
    public String label() { return node.layer().name() + (index == 0 ? "" : ":" + index); }

    @Override public String toString() { return label() + shape; }
}
