package dev.convkit.graph;

import dev.convkit.tensor.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One application of a layer to symbolic inputs, producing symbolic outputs. */
public final class Node {
    private final Layer layer;
    private final List<SymbolicTensor> inputs;
    private final List<SymbolicTensor> outputs;

    Node(Layer layer, List<SymbolicTensor> inputs, List<Shape> outputShapes) {
        this.layer = layer;
        this.inputs = List.copyOf(inputs);
        List<SymbolicTensor> outs = new ArrayList<>();
        for (int i = 0; i < outputShapes.size(); i++) outs.add(new SymbolicTensor(this, i, outputShapes.get(i)));
        this.outputs = Collections.unmodifiableList(outs);
    }

    public Layer layer() { return layer; }

    public List<SymbolicTensor> inputs() { return inputs; }

    public List<SymbolicTensor> outputs() { return outputs; }

    public List<Shape> inputShapes() { return inputs.stream().map(SymbolicTensor::shape).toList(); }
}
