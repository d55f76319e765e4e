package dev.convkit.ops;

import java.util.List;

/**
 * What a gradient rule sees of the program being differentiated (implemented by the autodiff in graph).
 * Operands are the forward op's inputs and outputs and the incoming output gradients.
 */
public interface BackwardBuilder extends OpEmitter {
    /** The i-th input of the forward op. */
    Operand input(int i);

    /** The j-th output of the forward op. */
    Operand output(int j);

    /** Gradient flowing into output j, or null when nothing downstream depends on it. */
    Operand gradOutput(int j);

    /** Whether a gradient of input i is wanted (it is a parameter or depends on one). */
    boolean needsGrad(int i);

    /** Appends an op to the backward program and returns its outputs. */
    @Override List<Operand> emit(Op op, Operand... inputs);

    /** Declares {@code grad} as (a contribution to) the gradient of input i; contributions are summed. */
    void gradInput(int i, Operand grad);
}
