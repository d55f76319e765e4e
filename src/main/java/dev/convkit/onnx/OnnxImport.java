package dev.convkit.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads an ONNX file into a ConvKit {@link dev.convkit.graph.Model} with its weights. Ops: see
 * {@link #SUPPORTED_OPS}; default-domain opset {@value #MIN_OPSET} or newer. Layers are named after the nodes
 * ("/0/conv/Conv" → layer "0/conv/Conv"; a ConvKit export names its nodes after its layers, so export → import →
 * export keeps every name), and parameters after the layers ("0/conv/Conv/kernel").
 *
 * <pre>{@code ImportedModel m = OnnxImport.read(Path.of("resnet20.onnx"));
 * compiled.loadParameters(m.parameters());}</pre>
 */
public final class OnnxImport {
    public static final int MIN_OPSET = GraphReader.MIN_OPSET;
    public static final java.util.List<String> SUPPORTED_OPS = NodeImporter.SUPPORTED;

    private OnnxImport() {}

    /** Reads {@code file}; external data files are looked up beside it. */
    public static ImportedModel read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new OnnxException("ONNX file " + file + " does not exist");
        }
        return fromBytes(bytes, file.toAbsolutePath().getParent(), file.toString());
    }

    /** Parses a serialised model; {@code baseDir} (may be null) holds its external data files, {@code source} names it in errors. */
    public static ImportedModel fromBytes(byte[] bytes, Path baseDir, String source) {
        ModelProto m;
        try {
            m = ModelProto.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new OnnxException(source + " is not an ONNX model (" + bytes.length + " bytes; the protobuf ModelProto does not parse: "
                    + e.getMessage() + "); is the file truncated or of another format?", e);
        }
        if (m.getIrVersion() < 3 || !m.hasGraph() || m.getGraph().getNodeCount() == 0 || m.getOpsetImportCount() == 0) {
            throw new OnnxException(source + " is not an ONNX model: ir_version " + m.getIrVersion() + ", " + (m.hasGraph()
                    ? m.getGraph().getNodeCount() + " nodes" : "no graph") + ", " + m.getOpsetImportCount()
                    + " opset imports (a model has ir_version >= 3, a graph with nodes and an opset_import)");
        }
        long opset = -1;
        for (OperatorSetIdProto o : m.getOpsetImportList()) if (o.getDomain().isEmpty() || o.getDomain().equals("ai.onnx")) opset = o.getVersion();
        if (opset < 0) throw new OnnxException(source + ": opset_import has no entry for the default domain (ai.onnx)");
        if (opset < MIN_OPSET) {
            throw new OnnxException(source + ": opset_import ai.onnx version " + opset + " is older than " + MIN_OPSET
                    + ", the oldest opset ConvKit reads; re-export with opset_version >= " + MIN_OPSET);
        }
        String name = m.getGraph().getName().isBlank() ? "onnx_model" : m.getGraph().getName();
        return new GraphReader(m.getGraph(), baseDir).read(name);
    }
}
