package dev.convkit.backend;

import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * An op compiled for fixed input specs: descriptors, primitive and algorithm chosen once, then {@link #run} many
 * times with buffers only. {@code run} enqueues work on the engine's stream and never allocates.
 */
public interface Kernel extends AutoCloseable {
    Op op();

    /** Specs of the inputs, in the physical layout this kernel reads. */
    List<TensorSpec> inputs();

    /**
     * Specs of the outputs, in the physical layout this kernel writes. The executor compiles each consumer for
     * exactly these specs, so an engine may keep activations in its own layout ({@link dev.convkit.tensor.Layout#ENGINE})
     * between its ops. Outputs that reach the host or the optimizer (logits, loss, probabilities, parameter
     * gradients: every non-4-D output and the weight gradients of convolutions) must be canonical.
     */
    List<TensorSpec> outputs();

    /** Temporary bytes needed during one {@link #run}; shared between kernels. */
    long scratchBytes();

    /** Bytes written by this (forward) kernel and read by its backward kernel; 0 if none. */
    long savedBytes();

    /**
     * Runs the op. {@code src} and {@code dst} follow the op's input and output order; in-place inputs
     * ({@link Op#inPlaceInputs()}) are updated. {@code scratch} has at least {@link #scratchBytes()} bytes (may be
     * null when 0). {@code saved}: for a forward kernel with {@link #savedBytes()} &gt; 0 the buffer it fills; for a
     * backward kernel compiled with that forward kernel as hint, the same buffer; otherwise null.
     */
    void run(Buffer[] src, Buffer[] dst, Buffer scratch, Buffer saved);

    @Override void close();
}
