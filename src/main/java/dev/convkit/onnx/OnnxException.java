package dev.convkit.onnx;

/** An ONNX file that cannot be read or a model that cannot be written; the message names the tensor, node or layer. */
public final class OnnxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public OnnxException(String message) { super(message); }

    public OnnxException(String message, Throwable cause) { super(message, cause); }
}
