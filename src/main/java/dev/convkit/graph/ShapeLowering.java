package dev.convkit.graph;

import dev.convkit.ops.Op;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape-only lowering behind {@link Layer#outputShapes}: runs a layer's {@link Layer#lower} on placeholder values
 * at batch 1 in inference mode, each op giving its outputs by its own shape rule, and reads the declared outputs'
 * shapes (batch dropped). A layer therefore has one definition, its lowering, as Keras derives output specs by
 * calling a layer on symbolic tensors. Nothing is recorded: the values made here belong to no program.
 *
 * <p>An op that refuses its input specs ({@code IllegalArgumentException}: {@code InvalidOpException}, bad
 * {@code Shape.of}) becomes a {@link GraphException} naming the layer, its input shapes and the op's expectation.
 */
final class ShapeLowering implements Lowering {
    private final Layer layer;
    private final List<Shape> inputShapes;              // without batch, as applied
    private final List<Value> inputs = new ArrayList<>(); // [1, ...] placeholders
    private final Map<String, Value> params = new HashMap<>();
    private final List<Value> outputs = new ArrayList<>();
    private int nextId;

    private ShapeLowering(Layer layer, List<Shape> inputShapes) {
        this.layer = layer;
        this.inputShapes = inputShapes;
        for (Shape s : inputShapes) inputs.add(value(TensorSpec.f32(s.withBatch(1)), Value.Role.INPUT, "input"));
        for (ParamSpec p : layer.params(inputShapes)) {
            params.put(p.localName(), value(TensorSpec.f32(p.shape()), Value.Role.PARAM, p.localName()));
        }
    }

    /** The output shapes (without batch) the layer's lowering produces for these input shapes (without batch). */
    static List<Shape> outputShapes(Layer layer, List<Shape> inputShapes) {
        ShapeLowering ctx = new ShapeLowering(layer, inputShapes);
        layer.lower(ctx);
        if (ctx.outputs.isEmpty()) throw new IllegalStateException("layer " + layer + " declared no output when lowered");
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; i < ctx.outputs.size(); i++) {
            Value v = ctx.outputs.get(i);
            if (v == null) throw new IllegalStateException("layer " + layer + " did not declare output " + i);
            shapes.add(v.spec().shape().dropBatch());
        }
        return shapes;
    }

    private Value value(TensorSpec spec, Value.Role role, String name) { return new Value(nextId++, spec, role, name); }

    @Override public boolean training() { return false; }

    @Override public int batchSize() { return 1; }

    @Override public int inputCount() { return inputs.size(); }

    @Override public Value input(int i) {
        if (i >= inputs.size()) throw layer.fail(inputShapes, layer.type() + " reads input " + i + " of " + inputs.size());
        return inputs.get(i);
    }

    @Override public Value param(String localName) {
        Value v = params.get(localName);
        if (v == null) throw new IllegalStateException("layer " + layer + " has no parameter '" + localName + "'");
        return v;
    }

    @Override public Value stepCounter() { return value(TensorSpec.f32(1), Value.Role.HOST, "step_counter"); }

    @Override public List<Value> emit(Op op, Value... in) {
        List<TensorSpec> outSpecs;
        try {
            outSpecs = op.outputs(Arrays.stream(in).map(Value::spec).toList());
        } catch (IllegalArgumentException e) {
            throw layer.fail(inputShapes, e.getMessage());
        }
        List<Value> outs = new ArrayList<>();
        for (TensorSpec s : outSpecs) outs.add(value(s, Value.Role.ACTIVATION, layer.name() == null ? layer.type() : layer.name()));
        return outs;
    }

    @Override public void output(int i, Value v) {
        while (outputs.size() <= i) outputs.add(null);
        outputs.set(i, v);
    }
}
