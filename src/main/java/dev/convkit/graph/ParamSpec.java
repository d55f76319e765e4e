package dev.convkit.graph;

import dev.convkit.tensor.Shape;

/**
 * A parameter a layer owns. {@code localName} is unique within the layer ("kernel", "bias", "gamma", ...); the
 * model prefixes the layer's structural name, giving e.g. {@code stage2/block1/conv1/kernel}.
 *
 * @param l2 Keras {@code l2(λ)} coefficient (adds λ·Σw² to the loss); 0 for none
 */
public record ParamSpec(String localName, Shape shape, ParamKind kind, Initializer init, float l2) {
    public ParamSpec(String localName, Shape shape, ParamKind kind, Initializer init) { this(localName, shape, kind, init, 0f); }

    public long count() { return shape.size(); }
}
