package dev.convkit.ops;

/** A forward op that knows how to emit the explicit backward ops for its inputs. */
public interface Differentiable {
    /**
     * Emits the ops computing the gradients of this op's inputs from the gradients of its outputs, and declares them
     * with {@link BackwardBuilder#gradInput}. Inputs for which {@link BackwardBuilder#needsGrad} is false may be
     * skipped; outputs with no incoming gradient have {@code gradOutput(j) == null}.
     */
    void backward(BackwardBuilder b);
}
