package dev.convkit.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.convkit.graph.Input;
import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Flatten;
import dev.convkit.models.ModelRegistry;
import dev.convkit.tensor.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad ONNX files and inexpressible models: each fails with an OnnxException naming the op, node, tensor or layer. */
class OnnxErrorsTest {
    private static final Model MNIST = ModelRegistry.create("mnist_cnn");
    private static final Map<String, float[]> PARAMS = OnnxFixtures.randomParams(MNIST, 1);

    private static ModelProto exported() { return OnnxExport.proto(MNIST, PARAMS, OnnxExport.Options.defaults()); }

    private static String importFails(ModelProto m) {
        return assertThrows(OnnxException.class, () -> OnnxImport.fromBytes(m.toByteArray(), null, "bad.onnx")).getMessage();
    }

    private static void contains(String message, String... parts) {
        System.out.println("OnnxErrorsTest message: " + message);
        for (String p : parts) assertTrue(message.contains(p), "expected '" + p + "' in: " + message);
    }

    @Test void unsupportedOpNamesOpNodeInputsAndTheSupportedList() {
        ModelProto.Builder m = exported().toBuilder();
        NodeProto relu = m.getGraph().getNode(1);                         // conv1's fused Relu
        m.getGraphBuilder().setNode(1, relu.toBuilder().setOpType("LeakyRelu").setName("conv1/leaky"));
        contains(importFails(m.build()), "unsupported ONNX op 'LeakyRelu'", "node 'conv1/leaky'", "inputs [conv1/conv]",
                "Conv, BatchNormalization, Relu", "Identity");
    }

    @Test void truncatedAndForeignFilesAreNotOnnxModels() {
        byte[] good = exported().toByteArray();
        String truncated = assertThrows(OnnxException.class,
                () -> OnnxImport.fromBytes(Arrays.copyOf(good, good.length / 2), null, "half.onnx")).getMessage();
        contains(truncated, "half.onnx is not an ONNX model", "truncated");
        String text = assertThrows(OnnxException.class, () -> OnnxImport.fromBytes(
                "label,pixel0,pixel1\n7,0,0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), null, "data.csv")).getMessage();
        contains(text, "data.csv is not an ONNX model");
        contains(assertThrows(OnnxException.class, () -> OnnxImport.fromBytes(new byte[0], null, "empty.onnx")).getMessage(),
                "empty.onnx is not an ONNX model");
    }

    @Test void anOldOpsetIsRefusedNamingIt() {
        ModelProto.Builder m = exported().toBuilder();
        m.setOpsetImport(0, m.getOpsetImport(0).toBuilder().setVersion(11));
        contains(importFails(m.build()), "opset_import ai.onnx version 11", "older than 13");
    }

    @Test void externalDataIsReadAndAMissingFileNamed(@TempDir Path dir) throws Exception {
        ModelProto.Builder m = exported().toBuilder();
        int k = indexOf(m, "dense/kernel");
        TensorProto dense = m.getGraph().getInitializer(k);
        byte[] raw = dense.getRawData().toByteArray();
        byte[] file = new byte[16 + raw.length];                           // 16 bytes of something else first
        System.arraycopy(raw, 0, file, 16, raw.length);
        m.getGraphBuilder().setInitializer(k, dense.toBuilder().clearRawData().setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", "weights.bin")).addExternalData(entry("offset", "16"))
                .addExternalData(entry("length", Integer.toString(raw.length))));
        Path model = dir.resolve("mnist.onnx");
        Files.write(model, m.build().toByteArray());
        String missing = assertThrows(OnnxException.class, () -> OnnxImport.read(model)).getMessage();
        contains(missing, "tensor 'dense/kernel'", "external data file 'weights.bin'", "does not exist");

        Files.write(dir.resolve("weights.bin"), file);
        ImportedModel back = OnnxImport.read(model);
        assertArrayEquals(PARAMS.get("dense/kernel"), back.parameters().get("dense/kernel"));
    }

    @Test void aWeightShapeThatDisagreesWithItsNodeIsNamed() {
        ModelProto.Builder m = exported().toBuilder();
        int k = indexOf(m, "conv2/kernel");
        float[] wrong = new float[64 * 32 * 3 * 3];
        m.getGraphBuilder().setInitializer(k, Tensors.floats("conv2/kernel", new int[] {64, 32, 3, 3}, wrong));
        contains(importFails(m.build()), "node 'conv2' (Conv", "weight 'conv2/kernel' has shape [64, 32, 3, 3]", "64 channels");

        ModelProto.Builder d = exported().toBuilder();
        int j = indexOf(d, "dense/bias");
        d.getGraphBuilder().setInitializer(j, Tensors.floats("dense/bias", new int[] {7}, new float[7]));
        contains(importFails(d.build()), "node 'dense' (Gemm", "weight 'dense/bias' has shape [7]", "expected [10]");
    }

    /** A layer ONNX has no op for (and ConvKit's exporter does not know). */
    static final class Square extends Layer {
        Square(String name) { super(name); }

        @Override public String type() { return "Square"; }

        @Override public void lower(Lowering ctx) { ctx.output(0, ctx.emit(new dev.convkit.ops.Mul(), ctx.input(0), ctx.input(0)).get(0)); }
    }

    @Test void exportingALayerOnnxCannotExpressNamesIt() {
        SymbolicTensor x = Input.of("image", 1, 4, 4);
        SymbolicTensor y = new Square("block1/square").apply(new Flatten("flatten").apply(x));
        Model model = new Model("custom", x, new Dense("logits", 3).apply(y));
        String msg = assertThrows(OnnxException.class, () -> OnnxExport.toBytes(model, OnnxFixtures.randomParams(model, 2),
                OnnxExport.Options.defaults())).getMessage();
        contains(msg, "layer 'block1/square' (Square", "has no ONNX equivalent", "Conv2D, Dense");
    }

    private static int indexOf(ModelProto.Builder m, String name) {
        for (int i = 0; i < m.getGraph().getInitializerCount(); i++) if (m.getGraph().getInitializer(i).getName().equals(name)) return i;
        throw new AssertionError("no initializer " + name);
    }

    private static StringStringEntryProto entry(String k, String v) { return StringStringEntryProto.newBuilder().setKey(k).setValue(v).build(); }
}
