package dev.convkit.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import dev.convkit.graph.Layer;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.Add;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Concatenate;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Dropout;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.GlobalAveragePooling2D;
import dev.convkit.onnx.GraphReader.Form;
import dev.convkit.onnx.GraphReader.Val;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * ONNX node → ConvKit layers, one op at a time (convolution, pooling and padding in {@link SpatialImporter}).
 * Element-wise activations that directly follow a Conv or Gemm as its only reader are fused into that layer
 * (Keras's {@code activation=}), and MatMul + Add of a constant becomes one Dense, so a ConvKit export imports
 * back into the same layers.
 */
final class NodeImporter {
    static final List<String> SUPPORTED = List.of("Conv", "BatchNormalization", "Relu", "Sigmoid", "Tanh", "Softmax", "MaxPool",
            "AveragePool", "GlobalAveragePool", "Gemm", "MatMul", "Add", "Concat", "Flatten", "Reshape", "Transpose", "Pad",
            "Constant", "Dropout", "Identity");

    private final GraphReader r;
    private final SpatialImporter spatial;
    private final ConstFolder folder;

    NodeImporter(GraphReader r) {
        this.r = r;
        this.spatial = new SpatialImporter(r, this);
        this.folder = new ConstFolder(r);
    }

    /**
     * Inputs each op needs at least (the ONNX operator specifications' required inputs, for the opsets read); every
     * op also needs one output. Checked for every node before any is read (an importer may look ahead at the next
     * node, e.g. an activation it absorbs), so a malformed node is an error naming it.
     */
    private static final Map<String, Integer> MIN_INPUTS = Map.ofEntries(Map.entry("Conv", 2), Map.entry("BatchNormalization", 5),
            Map.entry("Gemm", 2), Map.entry("MatMul", 2), Map.entry("Add", 2), Map.entry("Sub", 2), Map.entry("Mul", 2),
            Map.entry("Div", 2), Map.entry("Reshape", 2), Map.entry("Gather", 2), Map.entry("Slice", 3), Map.entry("Constant", 0));

    /** Refuses a node with fewer inputs than its op needs or no output; run on every node before any is translated. */
    static void checkArity(NodeProto n) {
        String op = n.getOpType();
        int needed = MIN_INPUTS.getOrDefault(op, 1);
        if (n.getInputCount() < needed || n.getOutputCount() < 1) {
            throw new OnnxException(GraphReader.describe(n) + " has " + n.getInputCount() + " input(s) and " + n.getOutputCount()
                    + " output(s); " + op + " needs at least " + needed + " input(s) and 1 output");
        }
    }

    void translate(NodeProto n) {
        String op = n.getOpType();
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) unsupported(n);
        if (folder.fold(n)) return;
        switch (op) {
            case "Conv" -> spatial.conv(n);
            case "MaxPool", "AveragePool" -> spatial.pool(n, op.equals("AveragePool"));
            case "Pad" -> spatial.pad(n);
            case "GlobalAveragePool" -> r.put(n, new Val(apply(new GlobalAveragePooling2D(r.layerName(n.getName())), n, Form.IMAGE), Form.POOLED));
            case "BatchNormalization" -> batchNorm(n);
            case "Relu", "Sigmoid", "Tanh" -> {
                Val x = r.val(n, 0);
                r.put(n, new Val(new Activation(r.layerName(n.getName()), op.toLowerCase(java.util.Locale.ROOT)).apply(x.t()), x.form(), x.perm()));
            }
            case "Softmax" -> softmax(n);
            case "Gemm" -> gemm(n);
            case "MatMul" -> matMul(n);
            case "Add" -> add(n);
            case "Concat" -> concat(n);
            case "Flatten" -> {
                if (new Attrs(n).i("axis", 1) != 1) throw new OnnxException(GraphReader.describe(n) + ": only Flatten with axis 1 is supported");
                flatten(n);
            }
            case "Reshape" -> reshape(n);
            case "Transpose" -> transpose(n);
            case "Constant" -> constant(n);
            case "Identity" -> {
                String in = n.getInput(0);
                if (r.consts.containsKey(in)) r.consts.put(n.getOutput(0), r.consts.get(in));
                else r.put(n, r.val(n, 0));
            }
            case "Dropout" -> dropout(n);
            default -> unsupported(n);
        }
    }

    private static void unsupported(NodeProto n) {
        throw new OnnxException("unsupported ONNX op '" + (n.getDomain().isEmpty() ? "" : n.getDomain() + ".") + n.getOpType()
                + "' in node '" + n.getName() + "' (inputs " + n.getInputList() + ", outputs " + n.getOutputList()
                + "); ConvKit imports the ai.onnx ops " + String.join(", ", SUPPORTED) + ", and evaluates shape arithmetic on constants ("
                + String.join(", ", ConstFolder.OPS) + ")");
    }

    /** Applies {@code layer} to input 0 of {@code n}, which must have form {@code need}. */
    SymbolicTensor apply(Layer layer, NodeProto n, Form need) {
        Val x = r.val(n, 0);
        if (x.form() != need) {
            throw new OnnxException(GraphReader.describe(n) + ": input '" + n.getInput(0) + "' is " + x.form() + " (ConvKit shape "
                    + x.t().shape() + "); this op needs " + need);
        }
        return layer.apply(x.t());
    }

    void params(Layer layer, Map<String, float[]> values) { r.layerParams.put(layer, values); }

    /**
     * The Relu/Sigmoid/Tanh node (or, for a Dense, a Softmax over the features) that is the only reader of
     * {@code tensor}, now absorbed, or null.
     */
    NodeProto fusableActivation(String tensor, boolean softmax) {
        NodeProto next = r.soleConsumer(tensor);
        if (next == null || !next.getDomain().isEmpty() || activationName(next) == null) return null;
        if (next.getOpType().equals("Softmax")) {
            long axis = new Attrs(next).i("axis", -1);
            if (!softmax || (axis != -1 && axis != 1)) return null;
        }
        r.absorbed.add(next);
        return next;
    }

    static String activationName(NodeProto n) {
        return switch (n.getOpType()) {
            case "Relu" -> "relu";
            case "Sigmoid" -> "sigmoid";
            case "Tanh" -> "tanh";
            case "Softmax" -> "softmax";
            default -> null;
        };
    }

    /** Records {@code v} as the value of {@code tensor} and of the absorbed activation's output. */
    void putFused(String tensor, NodeProto activation, Val v) {
        r.vals.put(tensor, v);
        if (activation != null) r.vals.put(activation.getOutput(0), v);
    }

    private void batchNorm(NodeProto n) {
        Attrs a = new Attrs(n);
        if (a.i("training_mode", 0) != 0) throw new OnnxException(GraphReader.describe(n) + ": training_mode=1 is not an inference graph");
        Val x = r.val(n, 0);
        if (x.form() != Form.IMAGE && x.form() != Form.VECTOR) {
            throw new OnnxException(GraphReader.describe(n) + ": input is " + x.form() + "; BatchNormalization needs [N, C, H, W] or [N, C]");
        }
        int c = x.t().shape().dim(0);
        String[] local = {"gamma", "beta", "moving_mean", "moving_variance"};
        Map<String, float[]> p = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            Tensors.Const t = r.constant(n, i + 1, true);
            if (t.floats() == null || t.size() != c || t.dims().length != 1) throw shapeMismatch(n, t, "[" + c + "] (one value per channel of the input)");
            p.put(local[i], t.floats());
        }
        BatchNormalization bn = new BatchNormalization(r.layerName(n.getName()))
                .epsilon(a.f("epsilon", 1e-5f)).momentum(a.f("momentum", 0.9f));
        params(bn, p);
        r.put(n, new Val(bn.apply(x.t()), x.form(), x.perm()));
    }

    static OnnxException shapeMismatch(NodeProto n, Tensors.Const t, String expected) {
        return new OnnxException(GraphReader.describe(n) + ": weight '" + t.name() + "' has shape " + t.shape() + ", expected "
                + expected);
    }

    private void softmax(NodeProto n) {
        Val x = r.val(n, 0);
        long axis = new Attrs(n).i("axis", -1);
        if (x.form() != Form.VECTOR || (axis != 1 && axis != -1)) {
            throw new OnnxException(GraphReader.describe(n) + ": only a softmax over the features of an [N, K] tensor is supported, got "
                    + x.form() + " with axis " + axis);
        }
        r.put(n, new Val(new Activation(r.layerName(n.getName()), "softmax").apply(x.t()), Form.VECTOR));
        r.softmaxOf.put(n.getOutput(0), n.getInput(0));
    }

    private void gemm(NodeProto n) {
        Attrs a = new Attrs(n);
        if (a.i("transA", 0) != 0) throw new OnnxException(GraphReader.describe(n) + ": transA=1 is not supported");
        Tensors.Const b = r.constant(n, 1, true);
        if (b.floats() == null || b.dims().length != 2) throw shapeMismatch(n, b, "a 2-D float matrix");
        boolean transB = a.i("transB", 0) != 0;
        int rows = (int) (transB ? b.dims()[1] : b.dims()[0]), cols = (int) (transB ? b.dims()[0] : b.dims()[1]);
        float[] kernel = new float[rows * cols];             // [K, N]
        for (int k = 0; k < rows; k++) for (int j = 0; j < cols; j++) {
            kernel[k * cols + j] = a.f("alpha", 1f) * (transB ? b.floats()[j * rows + k] : b.floats()[k * cols + j]);
        }
        float[] bias = null;
        Tensors.Const c = r.constant(n, 2, false);
        if (c != null) {
            if (c.floats() == null || (c.size() != cols && c.size() != 1)) throw shapeMismatch(n, c, "[" + cols + "] or a scalar");
            bias = new float[cols];
            for (int j = 0; j < cols; j++) bias[j] = a.f("beta", 1f) * c.floats()[c.size() == 1 ? 0 : j];
        }
        dense(n, n.getOutput(0), b, kernel, rows, cols, bias);
    }

    private void matMul(NodeProto n) {
        Tensors.Const b = r.constant(n, 1, true);
        if (b.floats() == null || b.dims().length != 2) throw shapeMismatch(n, b, "a 2-D float [K, N] matrix");
        int rows = (int) b.dims()[0], cols = (int) b.dims()[1];
        NodeProto next = r.soleConsumer(n.getOutput(0));
        if (next != null && next.getOpType().equals("Add") && next.getInputCount() == 2) {
            String other = next.getInput(0).equals(n.getOutput(0)) ? next.getInput(1) : next.getInput(0);
            Tensors.Const c = r.consts.get(other);
            if (c != null && c.floats() != null && (c.size() == cols || c.size() == 1)) {
                float[] bias = new float[cols];
                for (int j = 0; j < cols; j++) bias[j] = c.floats()[c.size() == 1 ? 0 : j];
                r.absorbed.add(next);
                dense(n, next.getOutput(0), b, b.floats(), rows, cols, bias);
                r.vals.put(n.getOutput(0), r.vals.get(next.getOutput(0)));
                return;
            }
        }
        dense(n, n.getOutput(0), b, b.floats(), rows, cols, null);
    }

    /** A Dense layer for node {@code n} whose result is ONNX tensor {@code out} (the MatMul's Add when fused). */
    private void dense(NodeProto n, String out, Tensors.Const w, float[] kernel, int rows, int cols, float[] bias) {
        Val x = r.val(n, 0);
        if (x.form() != Form.VECTOR && x.form() != Form.PERMUTED) {
            throw new OnnxException(GraphReader.describe(n) + ": input '" + n.getInput(0) + "' is " + x.form() + " (ConvKit shape "
                    + x.t().shape() + "); a matrix product needs [N, K] features (Flatten first)");
        }
        int k = x.t().shape().dim(0);
        if (rows != k) throw shapeMismatch(n, w, "one row per input feature: " + k + " (input '" + n.getInput(0) + "' has " + k + " features)");
        if (x.form() == Form.PERMUTED) {
            float[] permuted = new float[kernel.length];
            for (int j = 0; j < rows; j++) System.arraycopy(kernel, x.perm()[j] * cols, permuted, j * cols, cols);
            kernel = permuted;
        }
        Dense d = new Dense(r.layerName(n.getName()), cols).useBias(bias != null);
        NodeProto act = fusableActivation(out, true);
        if (act != null) d.activation(activationName(act));
        Map<String, float[]> p = new java.util.LinkedHashMap<>();
        p.put("kernel", kernel);
        if (bias != null) p.put("bias", bias);
        params(d, p);
        putFused(out, act, new Val(d.apply(x.t()), Form.VECTOR));
    }

    private void add(NodeProto n) {
        Val a = r.val(n, 0), b = r.val(n, 1);
        if (a.form() != b.form() || !Arrays.equals(a.perm(), b.perm())) {
            throw new OnnxException(GraphReader.describe(n) + ": adds a " + a.form() + " tensor to a " + b.form() + " one");
        }
        r.put(n, new Val(new Add(r.layerName(n.getName())).apply(a.t(), b.t()), a.form(), a.perm()));
    }

    private void concat(NodeProto n) {
        Val first = r.val(n, 0);
        long axis = new Attrs(n).i("axis", 1);
        int rank = first.form() == Form.IMAGE ? 4 : 2;
        if ((first.form() != Form.IMAGE && first.form() != Form.VECTOR) || (axis != 1 && axis != 1 - rank)) {
            throw new OnnxException(GraphReader.describe(n) + ": only a concatenation of channels (axis 1) is supported, got axis " + axis
                    + " on " + first.form() + " tensors");
        }
        SymbolicTensor[] xs = new SymbolicTensor[n.getInputCount()];
        for (int i = 0; i < xs.length; i++) {
            Val v = r.val(n, i);
            if (v.form() != first.form()) throw new OnnxException(GraphReader.describe(n) + ": input " + i + " is " + v.form() + ", not " + first.form());
            xs[i] = v.t();
        }
        r.put(n, new Val(new Concatenate(r.layerName(n.getName())).apply(xs), first.form()));
    }

    private void flatten(NodeProto n) {
        Val x = r.val(n, 0);
        switch (x.form()) {
            case VECTOR, POOLED -> r.put(n, new Val(x.t(), Form.VECTOR));
            case PERMUTED -> r.put(n, x);
            case NHWC -> r.put(n, new Val(new Flatten(r.layerName(n.getName())).apply(x.t()), Form.VECTOR));
            case IMAGE -> {
                int c = x.t().shape().dim(0), h = x.t().shape().dim(1), w = x.t().shape().dim(2);
                SymbolicTensor y = new Flatten(r.layerName(n.getName())).apply(x.t());
                if (h * w == 1) { r.put(n, new Val(y, Form.VECTOR)); return; }
                int[] perm = new int[c * h * w];   // ConvKit feature (h, w, c) ← ONNX feature (c, h, w)
                for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) for (int k = 0; k < c; k++) perm[(i * w + j) * c + k] = (k * h + i) * w + j;
                r.put(n, new Val(y, Form.PERMUTED, perm));
            }
        }
    }

    private void reshape(NodeProto n) {
        Val x = r.val(n, 0);
        long[] shape = r.constant(n, 1, true).longs();
        long features = x.t().shape().size();
        boolean toRows = shape != null && shape.length == 2 && (shape[1] == features || (shape[1] == -1 && shape[0] != -1))
                && (shape[0] == -1 || shape[0] == 0 || shape[0] > 0);
        if (!toRows) {
            throw new OnnxException(GraphReader.describe(n) + ": only a Reshape to [N, " + features + "] (a flatten) is supported, got shape "
                    + Arrays.toString(shape));
        }
        flatten(n);
    }

    private void transpose(NodeProto n) {
        Val x = r.val(n, 0);
        long[] perm = new Attrs(n).ints("perm");
        if (x.form() != Form.IMAGE || perm == null || !Arrays.equals(perm, new long[] {0, 2, 3, 1})) {
            throw new OnnxException(GraphReader.describe(n) + ": only the NCHW → NHWC Transpose (perm [0, 2, 3, 1]) before a Flatten is "
                    + "supported, got perm " + Arrays.toString(perm) + " on a " + x.form() + " tensor");
        }
        r.put(n, new Val(x.t(), Form.NHWC));
    }

    private void constant(NodeProto n) {
        Attrs a = new Attrs(n);
        String out = n.getOutput(0);
        if (a.has("value")) {
            r.consts.put(out, rename(Tensors.read(a.raw("value").getT(), r.baseDir), out));
        } else if (a.has("value_float")) {
            r.consts.put(out, new Tensors.Const(out, new long[0], new float[] {a.f("value_float", 0)}, null));
        } else if (a.has("value_floats")) {
            AttributeProto v = a.raw("value_floats");
            float[] f = new float[v.getFloatsCount()];
            for (int i = 0; i < f.length; i++) f[i] = v.getFloats(i);
            r.consts.put(out, new Tensors.Const(out, new long[] {f.length}, f, null));
        } else if (a.has("value_int")) {
            r.consts.put(out, new Tensors.Const(out, new long[0], null, new long[] {a.i("value_int", 0)}));
        } else if (a.has("value_ints")) {
            long[] l = a.ints("value_ints");
            r.consts.put(out, new Tensors.Const(out, new long[] {l.length}, null, l));
        } else {
            throw new OnnxException(GraphReader.describe(n) + ": a Constant needs a value, value_float(s) or value_int(s) attribute");
        }
    }

    private static Tensors.Const rename(Tensors.Const c, String name) { return new Tensors.Const(name, c.dims(), c.floats(), c.longs()); }

    private void dropout(NodeProto n) {
        if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty() && r.consumers.containsKey(n.getOutput(1))) {
            throw new OnnxException(GraphReader.describe(n) + ": the dropout mask output is used; ConvKit's Dropout has no mask output");
        }
        Tensors.Const ratio = r.constant(n, 1, false);
        float rate = ratio == null || ratio.floats() == null || ratio.size() != 1 ? 0.5f : ratio.floats()[0];
        Val x = r.val(n, 0);
        r.put(n, new Val(new Dropout(r.layerName(n.getName()), rate).apply(x.t()), x.form(), x.perm()));
    }
}
