package dev.convkit.onnx;

import static dev.convkit.onnx.GraphWriter.attrFloat;
import static dev.convkit.onnx.GraphWriter.attrInt;
import static dev.convkit.onnx.GraphWriter.attrString;
import static dev.convkit.onnx.GraphWriter.ints;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.convkit.layers.ZeroPadding2D;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Graphs written the way other exporters write them, built node by node: ConvKit's import must give ONNX Runtime's
 * outputs on the same file (to 1e-4 of their scale). Covers what ConvKit's own exports never contain: a PyTorch-order
 * (NCHW) Flatten before Gemm(transB=1, alpha, beta), MatMul + Add, symmetric conv pads that are not TF-'same'
 * (imported as ZeroPadding2D + valid conv), auto_pad SAME_UPPER, AveragePool with count_include_pad=1, MaxPool with
 * TF-'same' pads, a Pad whose pads come from a Constant node, Reshape to 2-D, Identity of an initializer, Sigmoid and
 * a Softmax fused into the last Dense.
 */
class OnnxForeignGraphsTest {
    private final SplittableRandom rng = new SplittableRandom(5);
    private final GraphProto.Builder g = GraphProto.newBuilder().setName("foreign");

    private void node(String op, String name, List<String> in, String out, AttributeProto... attrs) {
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(in).addOutput(out);
        for (AttributeProto a : attrs) b.addAttribute(a);
        g.addNode(b);
    }

    private String weight(String name, int... dims) {
        int n = 1;
        for (int d : dims) n *= d;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rng.nextDouble() - 0.5);
        g.addInitializer(Tensors.floats(name, dims, v));
        return name;
    }

    private static ValueInfoProto io(String name, int... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (int d : dims) s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(s))).build();
    }

    @Test
    void importMatchesOnnxRuntimeOnForeignIdioms() throws Exception {
        g.addInput(io("x", 3, 9, 9));
        // Conv 3x3, pads 2/2 (not TF-same): ZeroPadding2D + valid conv. [N, 4, 11, 11]
        node("Conv", "c1", List.of("x", weight("w1", 4, 3, 3, 3), weight("b1", 4)), "c1", ints("pads", 2, 2, 2, 2), ints("kernel_shape", 3, 3));
        node("Sigmoid", "s1", List.of("c1"), "s1");
        // Pad from a Constant node, then AveragePool counting the padded zeros. [N, 4, 6, 6]
        g.addNode(NodeProto.newBuilder().setOpType("Constant").setName("padsConst").addOutput("pads")
                .addAttribute(AttributeProto.newBuilder().setName("value").setType(AttributeProto.AttributeType.TENSOR)
                        .setT(Tensors.longs("", 0, 0, 1, 0, 0, 0, 0, 1))));
        node("Pad", "p1", List.of("s1", "pads"), "p1", attrString("mode", "constant"));
        node("AveragePool", "a1", List.of("p1"), "a1", ints("kernel_shape", 3, 3), ints("strides", 2, 2), ints("pads", 1, 1, 1, 1),
                attrInt("count_include_pad", 1));
        // auto_pad SAME_UPPER 3x3 stride 2 on 6x6 (pads 0 before, 1 after), then a TF-same MaxPool. [N, 5, 3, 3] → [N, 5, 2, 2]
        node("Conv", "c2", List.of("a1", weight("w2", 5, 4, 3, 3)), "c2", attrString("auto_pad", "SAME_UPPER"), ints("strides", 2, 2));
        node("Relu", "r2", List.of("c2"), "r2");
        node("MaxPool", "m2", List.of("r2"), "m2", ints("kernel_shape", 2, 2), ints("strides", 2, 2), ints("pads", 0, 0, 1, 1));
        // PyTorch-order flatten (NCHW) into Gemm(transB=1) with alpha/beta; Reshape to 2-D; MatMul + Add; softmax.
        node("Flatten", "f", List.of("m2"), "f", attrInt("axis", 1));
        node("Gemm", "fc1", List.of("f", weight("wf1", 6, 20), weight("bf1", 6)), "fc1", attrInt("transB", 1), attrFloat("alpha", 0.5f),
                attrFloat("beta", 2f));
        node("Relu", "fc1/relu", List.of("fc1"), "h");
        g.addInitializer(Tensors.longs("shape2d", 0, -1));
        node("Reshape", "rs", List.of("h", "shape2d"), "h2");
        node("Identity", "wf2/shared", List.of(weight("wf2", 6, 3)), "wf2/alias");
        node("MatMul", "fc2", List.of("h2", "wf2/alias"), "mm");
        node("Add", "fc2/bias", List.of("mm", weight("bf2", 3)), "z");
        node("Softmax", "prob", List.of("z"), "prob", attrInt("axis", -1));
        g.addOutput(io("prob", 3));
        byte[] bytes = ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(g).build().toByteArray();

        ImportedModel m = OnnxImport.fromBytes(bytes, null, "foreign.onnx");
        assertEquals(3, m.model().nodes().stream().filter(n -> n.layer() instanceof ZeroPadding2D).count(),
                "c1's 2/2 pads, the Pad node and the zeros that the include-pad AveragePool counts");
        float[][] inputs = OnnxFixtures.randomInputs(m.model(), 3, 9);
        float[] ours = OnnxFixtures.convkitLogits(m.model(), m.parameters(), inputs);
        float[] ort = OnnxFixtures.ortOutput(bytes, m.model(), inputs, 3, "prob");
        double rel = OnnxFixtures.relativeError(ours, ort);
        System.out.printf(Locale.ROOT, "OnnxForeignGraphsTest: %d layers, outputs max relative diff %.3g%n", m.model().nodes().size(), rel);
        assertTrue(rel <= 1e-4, "ConvKit and ONNX Runtime differ by " + rel + " of the outputs' scale");
    }
}
