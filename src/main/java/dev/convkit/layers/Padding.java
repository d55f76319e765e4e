package dev.convkit.layers;

/**
 * Keras padding modes of convolutions and pooling. {@link #SAME} follows TensorFlow: output = ceil(in / stride),
 * and an odd total padding puts the extra row/column after (bottom/right), see {@link dev.convkit.ops.Window2d#same}.
 */
public enum Padding {
    /** No padding: output = floor((in - effectiveKernel) / stride) + 1. */
    VALID,
    /** TensorFlow "SAME": output = ceil(in / stride), padding split with the smaller half before. */
    SAME
}
