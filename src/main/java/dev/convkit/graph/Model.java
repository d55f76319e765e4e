package dev.convkit.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A functional model: the layers between some inputs and outputs, checked when built. Construction proves every
 * output is reachable from the declared inputs only, every input is used, the graph has no cycle and layer names
 * are unique; it then names unnamed layers by structure and collects the parameters by structural name.
 * Needs no engine: {@link ModelSummary} and {@link ModelDiagram} work from this alone.
 */
public final class Model {
    private final String name;
    private final List<SymbolicTensor> inputs;
    private final List<SymbolicTensor> outputs;
    private final List<Node> nodes;                        // topological order, inputs first
    private final Map<String, ParamSpec> params;           // "block/conv/kernel" → spec, in node order
    private final Map<String, Layer> layersByName;

    public Model(String name, List<SymbolicTensor> inputs, List<SymbolicTensor> outputs) {
        if (inputs.isEmpty() || outputs.isEmpty()) throw new GraphException("model '" + name + "' needs at least one input and one output");
        this.name = name;
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        for (SymbolicTensor in : inputs) {
            if (!(in.node().layer() instanceof Input)) {
                throw new GraphException("model '" + name + "': declared input " + in + " is not an Input but the output of layer "
                        + in.node().layer());
            }
        }
        this.nodes = topologicalOrder();
        assignNames();
        this.layersByName = new LinkedHashMap<>();
        for (Node n : nodes) {
            Layer prev = layersByName.put(n.layer().name(), n.layer());
            if (prev != null) throw new GraphException("model '" + name + "': duplicate layer name '" + n.layer().name()
                    + "' (" + prev.type() + " and " + n.layer().type() + "); layer names must be unique");
        }
        Map<String, ParamSpec> ps = new LinkedHashMap<>();
        for (Node n : nodes) for (ParamSpec p : n.layer().params(n.inputShapes())) ps.put(n.layer().name() + "/" + p.localName(), p);
        this.params = Collections.unmodifiableMap(ps);
    }

    public Model(String name, SymbolicTensor input, SymbolicTensor output) { this(name, List.of(input), List.of(output)); }

    private List<Node> topologicalOrder() {
        Set<Node> declared = Collections.newSetFromMap(new IdentityHashMap<>());
        for (SymbolicTensor t : inputs) declared.add(t.node());
        List<Node> order = new ArrayList<>();
        Map<Node, Integer> state = new IdentityHashMap<>();   // 1 = on stack, 2 = done
        for (SymbolicTensor out : outputs) visit(out.node(), declared, state, order, new ArrayList<>());
        for (SymbolicTensor in : inputs) {
            if (state.get(in.node()) == null) {
                throw new GraphException("model '" + name + "': input '" + in.node().layer().name() + "' " + in.shape()
                        + " is not used by any output; remove it or connect it");
            }
        }
        return Collections.unmodifiableList(order);
    }

    private void visit(Node n, Set<Node> declared, Map<Node, Integer> state, List<Node> order, List<Node> path) {
        Integer s = state.get(n);
        if (s != null && s == 2) return;
        if (s != null) throw new GraphException("model '" + name + "': cycle through layer " + n.layer());
        if (n.layer() instanceof Input && !declared.contains(n)) {
            String user = path.isEmpty() ? "an output" : "layer " + path.get(path.size() - 1).layer();
            throw new GraphException("model '" + name + "': " + user + " depends on input '" + n.layer().name() + "' "
                    + n.outputs().get(0).shape() + " which is not one of the model's inputs (a tensor from another model?)");
        }
        state.put(n, 1);
        path.add(n);
        for (SymbolicTensor in : n.inputs()) visit(in.node(), declared, state, order, path);
        path.remove(path.size() - 1);
        state.put(n, 2);
        order.add(n);
    }

    private void assignNames() {
        Map<String, Integer> counters = new HashMap<>();
        Set<String> taken = new HashSet<>();
        for (Node n : nodes) if (n.layer().hasName()) taken.add(n.layer().name());
        for (Node n : nodes) {
            if (n.layer().hasName()) continue;
            String base = snake(n.layer().type());
            String candidate;
            do {
                int k = counters.merge(base, 1, Integer::sum);
                candidate = base + "_" + k;
            } while (taken.contains(candidate));
            taken.add(candidate);
            n.layer().assignName(candidate);
        }
    }

    static String snake(String type) {
        // Keras's to_snake_case: "Conv2D" → "conv2d", "MaxPooling2D" → "max_pooling2d".
        return type.replaceAll("(.)([A-Z][a-z]+)", "$1_$2").replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    public String name() { return name; }

    public List<SymbolicTensor> inputs() { return inputs; }

    public List<SymbolicTensor> outputs() { return outputs; }

    /** Nodes in topological order (each after all its inputs). */
    public List<Node> nodes() { return nodes; }

    /** Every parameter by structural name, in node order. */
    public Map<String, ParamSpec> params() { return params; }

    public Layer layer(String layerName) {
        Layer l = layersByName.get(layerName);
        if (l == null) throw new GraphException("model '" + name + "' has no layer '" + layerName + "'");
        return l;
    }

    public long totalParams() { return params.values().stream().mapToLong(ParamSpec::count).sum(); }

    public long trainableParams() {
        return params.values().stream().filter(p -> p.kind().trainable()).mapToLong(ParamSpec::count).sum();
    }

    public long nonTrainableParams() { return totalParams() - trainableParams(); }

    /** The Keras-like summary table (see {@link ModelSummary}). */
    public String summary() { return ModelSummary.render(this); }

    /** Graphviz DOT of the model (see {@link ModelDiagram}). */
    public String toDot() { return ModelDiagram.dot(this); }
}
