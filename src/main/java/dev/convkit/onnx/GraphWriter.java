package dev.convkit.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.convkit.graph.Input;
import dev.convkit.graph.Layer;
import dev.convkit.graph.Model;
import dev.convkit.graph.Node;
import dev.convkit.graph.ParamSpec;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.Add;
import dev.convkit.layers.AveragePooling2D;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Concatenate;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.DepthwiseConv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Dropout;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.GlobalAveragePooling2D;
import dev.convkit.layers.LeakyReLU;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.layers.Pooling2D;
import dev.convkit.layers.ZeroPadding2D;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One model → one GraphProto. Tensor names: a layer's output is named after the layer ("stage1/block1/add"),
 * helper tensors inside a layer "layer/suffix"; initializers carry the parameters' structural names; the main node
 * of a layer is named after the layer, so an import names its layers (and therefore its parameters) the same way.
 * Shapes: ConvKit's (C, H, W) is ONNX's [N, C, H, W], (K) is [N, K].
 */
final class GraphWriter {
    static final List<String> LAYERS = List.of("Conv2D", "DepthwiseConv2D", "Dense", "BatchNormalization", "Activation",
            "LeakyReLU", "Add", "Concatenate", "Flatten", "GlobalAveragePooling2D", "MaxPooling2D", "AveragePooling2D",
            "ZeroPadding2D", "Dropout");

    private final Model model;
    private final Map<String, float[]> params;
    private final boolean softmaxOutput;
    private final GraphProto.Builder g = GraphProto.newBuilder();
    private final Map<SymbolicTensor, String> names = new IdentityHashMap<>();

    GraphWriter(Model model, Map<String, float[]> params, boolean softmaxOutput) {
        this.model = model;
        this.params = params;
        this.softmaxOutput = softmaxOutput;
    }

    GraphProto write() {
        g.setName(model.name());
        List<SymbolicTensor> outs = model.outputs();
        for (int i = 0; i < outs.size(); i++) names.put(outs.get(i), outs.size() == 1 ? "logits" : outs.get(i).label());
        for (SymbolicTensor in : model.inputs()) {
            names.put(in, in.node().layer().name());
            g.addInput(valueInfo(in.node().layer().name(), in.shape()));
        }
        for (Node n : model.nodes()) {
            if (n.layer() instanceof Input) continue;
            layer(n);
        }
        for (Map.Entry<String, ParamSpec> e : model.params().entrySet()) {
            g.addInitializer(Tensors.floats(e.getKey(), e.getValue().shape().dims(), params.get(e.getKey())));
        }
        for (SymbolicTensor out : outs) g.addOutput(valueInfo(names.get(out), out.shape()));
        if (softmaxOutput) {
            if (outs.size() != 1 || outs.get(0).shape().rank() != 1) {
                throw new OnnxException("cannot add a softmax output to model '" + model.name() + "': it needs exactly one (K) logits "
                        + "output, the model has " + outs);
            }
            node("Softmax", "probabilities", List.of("logits"), "probabilities", attrInt("axis", -1));
            g.addOutput(valueInfo("probabilities", outs.get(0).shape()));
        }
        return g.build();
    }

    private void layer(Node n) {
        Layer l = n.layer();
        String name = l.name();
        String x = n.inputs().isEmpty() ? null : names.get(n.inputs().get(0));
        Shape in = n.inputs().isEmpty() ? null : n.inputs().get(0).shape();
        String out = outputName(n);
        if (l instanceof Conv2D c) {
            conv(name, x, out, c.window(in), c.useBias(), c.fusedActivation(), "kernel", c.groups());
        } else if (l instanceof DepthwiseConv2D d) {
            // groups = C: each input channel convolved with its own depth_multiplier kernels ([C·m, 1, KH, KW], ONNX's layout)
            conv(name, x, out, d.window(in), d.useBias(), d.fusedActivation(), "depthwise_kernel", in.dim(0));
        } else if (l instanceof LeakyReLU r) {
            node("LeakyRelu", name, List.of(x), out, attrFloat("alpha", r.negativeSlope()));
        } else if (l instanceof Dense d) {
            String act = d.fusedActivation();
            String gemmOut = act == null ? out : name + "/gemm";
            List<String> ins = d.useBias() ? List.of(x, name + "/kernel", name + "/bias") : List.of(x, name + "/kernel");
            node("Gemm", name, ins, gemmOut);
            if (act != null) activation(act, name + "/" + act, gemmOut, out);
        } else if (l instanceof BatchNormalization bn) {
            node("BatchNormalization", name, List.of(x, name + "/gamma", name + "/beta", name + "/moving_mean", name + "/moving_variance"),
                    out, attrFloat("epsilon", bn.epsilon()), attrFloat("momentum", bn.momentum()));
        } else if (l instanceof Activation a) {
            activation(a.kind().lower(), name, x, out);
        } else if (l instanceof Add) {
            String acc = x;
            int k = n.inputs().size();
            for (int i = 1; i < k; i++) {
                String dst = i == k - 1 ? out : name + "/sum" + i;
                node("Add", i == k - 1 ? name : name + "/add" + i, List.of(acc, names.get(n.inputs().get(i))), dst);
                acc = dst;
            }
        } else if (l instanceof Concatenate) {
            node("Concat", name, n.inputs().stream().map(names::get).toList(), out, attrInt("axis", 1));
        } else if (l instanceof Flatten) {
            if (in.rank() == 3) {
                // Keras order: features run over (h, w, c), so the NCHW activation is made NHWC before flattening.
                node("Transpose", name + "/nhwc", List.of(x), name + "/nhwc", ints("perm", 0, 2, 3, 1));
                node("Flatten", name, List.of(name + "/nhwc"), out, attrInt("axis", 1));
            } else {
                node("Identity", name, List.of(x), out);
            }
        } else if (l instanceof GlobalAveragePooling2D) {
            node("GlobalAveragePool", name, List.of(x), name + "/pooled");
            node("Flatten", name + "/flatten", List.of(name + "/pooled"), out, attrInt("axis", 1));
        } else if (l instanceof MaxPooling2D || l instanceof AveragePooling2D) {
            Window2d w = ((Pooling2D<?>) l).window(in);
            boolean avg = l instanceof AveragePooling2D;
            AttributeProto[] attrs = {ints("kernel_shape", w.kernelH(), w.kernelW()), ints("strides", w.strideH(), w.strideW()),
                    ints("pads", w.padTop(), w.padLeft(), w.padBottom(), w.padRight()), attrInt("count_include_pad", 0)};
            // ConvKit's average counts only positions inside the input (TensorFlow "same"): count_include_pad = 0.
            node(avg ? "AveragePool" : "MaxPool", name, List.of(x), out, avg ? attrs : java.util.Arrays.copyOf(attrs, 3));
        } else if (l instanceof ZeroPadding2D z) {
            int[] p = z.pads();   // top, bottom, left, right
            g.addInitializer(Tensors.longs(name + "/pads", 0, 0, p[0], p[2], 0, 0, p[1], p[3]));
            node("Pad", name, List.of(x, name + "/pads"), out, attrString("mode", "constant"));
        } else if (l instanceof Dropout d) {
            // Inference: the identity. The rate travels as the ratio input so that an import can fine-tune with it.
            g.addInitializer(Tensors.floats(name + "/ratio", new int[0], new float[] {d.rate()}));
            node("Dropout", name, List.of(x, name + "/ratio"), out);
        } else {
            throw new OnnxException("cannot export model '" + model.name() + "' to ONNX: layer '" + name + "' (" + l.type() + ", "
                    + l.getClass().getName() + ") has no ONNX equivalent; layers that export: " + String.join(", ", LAYERS));
        }
    }

    /** Conv (+ its fused activation) with TF-'same' padding written as explicit pads. */
    private void conv(String name, String x, String out, Window2d w, boolean bias, String act, String kernel, int groups) {
        String convOut = act == null ? out : name + "/conv";
        List<String> ins = bias ? List.of(x, name + "/" + kernel, name + "/bias") : List.of(x, name + "/" + kernel);
        node("Conv", name, ins, convOut, ints("kernel_shape", w.kernelH(), w.kernelW()), ints("strides", w.strideH(), w.strideW()),
                ints("pads", w.padTop(), w.padLeft(), w.padBottom(), w.padRight()), ints("dilations", w.dilationH(), w.dilationW()),
                attrInt("group", groups));
        if (act != null) activation(act, name + "/" + act, convOut, out);
    }

    private String outputName(Node n) {
        SymbolicTensor t = n.outputs().get(0);
        return names.computeIfAbsent(t, SymbolicTensor::label);
    }

    private void activation(String kind, String nodeName, String src, String dst) {
        switch (kind) {
            case "relu" -> node("Relu", nodeName, List.of(src), dst);
            case "sigmoid" -> node("Sigmoid", nodeName, List.of(src), dst);
            case "tanh" -> node("Tanh", nodeName, List.of(src), dst);
            case "relu6" -> {
                // Keras ReLU(max_value=6): Clip with its bounds as scalar initializers (opset 11+ takes them as inputs)
                g.addInitializer(Tensors.floats(nodeName + "/min", new int[0], new float[] {0f}));
                g.addInitializer(Tensors.floats(nodeName + "/max", new int[0], new float[] {6f}));
                node("Clip", nodeName, List.of(src, nodeName + "/min", nodeName + "/max"), dst);
            }
            case "softmax" -> node("Softmax", nodeName, List.of(src), dst, attrInt("axis", -1));
            default -> throw new OnnxException("cannot export activation '" + kind + "' of layer '" + nodeName + "'");
        }
    }

    private void node(String op, String name, List<String> inputs, String output, AttributeProto... attrs) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(output);
        for (AttributeProto a : attrs) b.addAttribute(a);
        g.addNode(b);
    }

    private static ValueInfoProto valueInfo(String name, Shape shape) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
        for (int d : shape.dims()) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        TypeProto.Builder type = TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s));
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) a.addInts(v);
        return a.build();
    }

    static AttributeProto attrInt(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto attrFloat(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static AttributeProto attrString(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }
}
