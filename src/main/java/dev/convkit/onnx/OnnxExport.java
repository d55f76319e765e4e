package dev.convkit.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import dev.convkit.graph.Model;
import dev.convkit.graph.ParamSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes a model with its weights as an ONNX inference graph: opset {@value #OPSET}, IR version {@value #IR_VERSION},
 * one float input per model input named after its Input layer with a symbolic batch dimension "N", and the logits
 * as output ("logits" for a one-output model, else each output layer's name), optionally followed by a
 * "probabilities" softmax output. Batch normalisation is written with its moving statistics (not folded), so the
 * file's parameters are exactly the model's, under the same structural names.
 *
 * <pre>{@code OnnxExport.write(model, compiled.parameters(), Path.of("model.onnx"), OnnxExport.Options.defaults());}</pre>
 */
public final class OnnxExport {
    public static final int OPSET = 17;
    public static final int IR_VERSION = 8;

    /**
     * @param softmaxOutput add a "probabilities" output, the softmax of the (single, 2-D) logits output
     * @param producerVersion written as the file's producer_version
     */
    public record Options(boolean softmaxOutput, String producerVersion) {
        public static Options defaults() { return new Options(false, "0.1.0"); }

        public Options withSoftmaxOutput(boolean on) { return new Options(on, producerVersion); }
    }

    private OnnxExport() {}

    /** The serialised ONNX model. {@code params} holds every parameter of {@code model} by structural name. */
    public static byte[] toBytes(Model model, Map<String, float[]> params, Options options) {
        return proto(model, params, options).toByteArray();
    }

    /** Writes the ONNX file atomically (a temporary file beside {@code out}, then a rename). */
    public static void write(Model model, Map<String, float[]> params, Path out, Options options) throws IOException {
        byte[] bytes = toBytes(model, params, options);
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, out.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static ModelProto proto(Model model, Map<String, float[]> params, Options options) {
        for (Map.Entry<String, ParamSpec> e : model.params().entrySet()) {
            float[] v = params.get(e.getKey());
            if (v == null) throw new OnnxException("cannot export model '" + model.name() + "': no values given for parameter '"
                    + e.getKey() + "' " + e.getValue().shape());
            if (v.length != e.getValue().count()) throw new OnnxException("cannot export model '" + model.name() + "': parameter '"
                    + e.getKey() + "' has shape " + e.getValue().shape() + " (" + e.getValue().count() + " values), got " + v.length);
        }
        return ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("ConvKit")
                .setProducerVersion(options.producerVersion())
                .setGraph(new GraphWriter(model, params, options.softmaxOutput()).write())
                .build();
    }
}
