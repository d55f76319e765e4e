package dev.convkit.onnx;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.convkit.graph.GraphException;
import dev.convkit.graph.Input;
import dev.convkit.graph.Layer;
import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One GraphProto → one {@link Model} and its parameters. Walks the nodes in file order (ONNX requires a topological
 * order) and keeps, per ONNX tensor name, either a constant ({@link Tensors.Const}: initializers, Constant nodes and
 * their Identity aliases) or a {@link Val}: the ConvKit tensor plus how its ONNX shape relates to ConvKit's.
 * The per-op translation lives in {@link NodeImporter}; this class holds the bookkeeping both sides share.
 */
final class GraphReader {
    /**
     * How an ONNX activation relates to the ConvKit tensor holding it.
     * IMAGE: [N, C, H, W] ↔ (C, H, W). VECTOR: [N, K] ↔ (K). POOLED: [N, C, 1, 1] ↔ (C) (after GlobalAveragePool).
     * NHWC: [N, H, W, C] ↔ (C, H, W) (a Transpose waiting for its Flatten). PERMUTED: [N, C·H·W] in NCHW order ↔
     * ConvKit's NHWC-ordered Flatten output; {@code perm[j]} is the ONNX feature index of ConvKit feature j, and a
     * following Gemm/MatMul reorders its weight rows with it.
     */
    enum Form { IMAGE, VECTOR, POOLED, NHWC, PERMUTED }

    record Val(SymbolicTensor t, Form form, int[] perm) {
        Val(SymbolicTensor t, Form form) { this(t, form, null); }
    }

    static final int MIN_OPSET = 13;

    final GraphProto graph;
    final Path baseDir;
    final Map<String, Tensors.Const> consts = new HashMap<>();
    final Map<String, Val> vals = new HashMap<>();
    final Map<String, List<NodeProto>> consumers = new HashMap<>();
    final Set<String> graphOutputs = new HashSet<>();
    final Set<NodeProto> absorbed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    final Map<Layer, Map<String, float[]>> layerParams = new IdentityHashMap<>();
    final Map<String, String> softmaxOf = new HashMap<>();     // output tensor → logits tensor, for Softmax nodes
    private final Set<String> usedNames = new HashSet<>();
    private final List<SymbolicTensor> inputs = new ArrayList<>();

    GraphReader(GraphProto graph, Path baseDir) {
        this.graph = graph;
        this.baseDir = baseDir;
    }

    ImportedModel read(String modelName) {
        for (TensorProto t : graph.getInitializerList()) consts.put(t.getName(), Tensors.read(t, baseDir));
        for (ValueInfoProto v : graph.getOutputList()) graphOutputs.add(v.getName());
        for (NodeProto n : graph.getNodeList()) {
            NodeImporter.checkArity(n);
            for (String in : n.getInputList()) consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
        }
        for (ValueInfoProto v : graph.getInputList()) if (!consts.containsKey(v.getName())) input(v);
        if (inputs.isEmpty()) throw new OnnxException("the ONNX graph '" + graph.getName() + "' has no non-constant input");
        NodeImporter ops = new NodeImporter(this);
        for (NodeProto n : graph.getNodeList()) {
            if (absorbed.contains(n)) continue;
            try {
                ops.translate(n);
            } catch (IllegalArgumentException e) {
                // GraphException included: a layer or op refusing the node's attributes or shapes (a dilation of 0, say)
                throw new OnnxException(describe(n) + ": " + e.getMessage(), e);
            }
        }
        List<SymbolicTensor> outs = new ArrayList<>();
        for (ValueInfoProto o : graph.getOutputList()) {
            String logits = softmaxOf.get(o.getName());
            if (logits != null && graphOutputs.contains(logits)) continue;   // a probabilities output beside its logits
            Val v = vals.get(o.getName());
            if (v == null) throw new OnnxException("graph output '" + o.getName() + "' is not computed by any node (a constant?)");
            if (v.form() == Form.PERMUTED || v.form() == Form.NHWC) {
                throw new OnnxException("graph output '" + o.getName() + "' is a " + v.form() + "-ordered tensor, which no ConvKit layer "
                        + "produces (only a Gemm/MatMul or Flatten may follow it)");
            }
            outs.add(v.t());
        }
        Model model;
        try {
            model = new Model(modelName, inputs, outs);
        } catch (IllegalArgumentException e) {
            throw new OnnxException("the ONNX graph does not form a ConvKit model: " + e.getMessage(), e);
        }
        Map<String, float[]> params = new LinkedHashMap<>();
        for (Map.Entry<Layer, Map<String, float[]>> e : layerParams.entrySet()) {
            if (e.getKey().node() == null) continue;
            for (Map.Entry<String, float[]> p : e.getValue().entrySet()) params.put(e.getKey().name() + "/" + p.getKey(), p.getValue());
        }
        Map<String, float[]> ordered = new LinkedHashMap<>();
        for (String name : model.params().keySet()) {
            float[] v = params.get(name);
            if (v == null) throw new IllegalStateException("imported parameter '" + name + "' has no values");
            ordered.put(name, v);
        }
        return new ImportedModel(model, ordered);
    }

    private void input(ValueInfoProto v) {
        if (!v.getType().hasTensorType()) throw new OnnxException("graph input '" + v.getName() + "' is not a tensor");
        int elem = v.getType().getTensorType().getElemType();
        if (elem != TensorProto.DataType.FLOAT_VALUE) {
            throw new OnnxException("graph input '" + v.getName() + "' has element type " + Tensors.typeName(elem) + "; ConvKit takes float32");
        }
        List<TensorShapeProto.Dimension> dims = v.getType().getTensorType().getShape().getDimList();
        if (dims.size() != 4 && dims.size() != 2) {
            throw new OnnxException("graph input '" + v.getName() + "' has rank " + dims.size() + "; ConvKit takes [N, C, H, W] images or [N, K] vectors");
        }
        int[] shape = new int[dims.size() - 1];
        for (int k = 1; k < dims.size(); k++) {
            TensorShapeProto.Dimension d = dims.get(k);
            if (!d.hasDimValue() || d.getDimValue() < 1) {
                throw new OnnxException("graph input '" + v.getName() + "': dimension " + k + " is '" + (d.hasDimParam() ? d.getDimParam() : "?")
                        + "'; only the batch dimension (0) may be symbolic, the others must be fixed sizes");
            }
            shape[k - 1] = Math.toIntExact(d.getDimValue());
        }
        String name = layerName(v.getName());
        SymbolicTensor t = Input.of(name == null ? "input" + inputs.size() : name, shape);
        inputs.add(t);
        vals.put(v.getName(), new Val(t, shape.length == 3 ? Form.IMAGE : Form.VECTOR));
    }

    /** A ConvKit layer name from an ONNX node or tensor name ("/0/conv/Conv" → "0/conv/Conv"), or null if unusable or taken. */
    String layerName(String raw) {
        if (raw == null) return null;
        String s = raw.replaceAll("/{2,}", "/").replaceAll("^/+|/+$", "").trim();
        if (s.isEmpty() || !usedNames.add(s)) return null;
        return s;
    }

    /** The non-constant input {@code i} of {@code n}. */
    Val val(NodeProto n, int i) {
        if (i >= n.getInputCount() || n.getInput(i).isEmpty()) throw new OnnxException(describe(n) + ": input " + i + " is missing");
        String name = n.getInput(i);
        Val v = vals.get(name);
        if (v == null) {
            if (consts.containsKey(name)) throw new OnnxException(describe(n) + ": input '" + name + "' is a constant; ConvKit needs a computed tensor there");
            throw new OnnxException(describe(n) + ": input '" + name + "' is produced by no earlier node, initializer or graph input");
        }
        return v;
    }

    /** The constant input {@code i} of {@code n}, or null when the optional input is absent. */
    Tensors.Const constant(NodeProto n, int i, boolean required) {
        if (i >= n.getInputCount() || n.getInput(i).isEmpty()) {
            if (required) throw new OnnxException(describe(n) + ": input " + i + " is missing");
            return null;
        }
        Tensors.Const c = consts.get(n.getInput(i));
        if (c == null) throw new OnnxException(describe(n) + ": input '" + n.getInput(i) + "' must be a constant (an initializer or a "
                + "Constant node); ConvKit imports weights, pads and shapes only as constants");
        return c;
    }

    /** The single node reading {@code tensor}, or null when none or several do or it is also a graph output. */
    NodeProto soleConsumer(String tensor) {
        List<NodeProto> c = consumers.getOrDefault(tensor, List.of());
        return c.size() == 1 && !graphOutputs.contains(tensor) ? c.get(0) : null;
    }

    void put(NodeProto n, Val v) { vals.put(n.getOutput(0), v); }

    static String describe(NodeProto n) {
        return "node '" + n.getName() + "' (" + (n.getDomain().isEmpty() ? "" : n.getDomain() + ".") + n.getOpType() + ", inputs "
                + n.getInputList() + ")";
    }
}
