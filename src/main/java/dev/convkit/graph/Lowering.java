package dev.convkit.graph;

import dev.convkit.ops.Op;
import java.util.List;

/**
 * What a layer sees while it is lowered to ops for one batch size: the program builder's context, or the shape-only
 * context that derives a layer's output shapes at batch 1 in inference mode.
 */
public interface Lowering {
    /** True when lowering the training program (batch statistics, active dropout). */
    boolean training();

    int batchSize();

    /** Number of inputs the layer was applied to. */
    int inputCount();

    /** The i-th input value of the layer. */
    Value input(int i);

    /** The parameter (or BN state) {@code localName} of the layer. */
    Value param(String localName);

    /** The (1,) step counter that seeds dropout masks. */
    Value stepCounter();

    /** Emits an op; output specs come from the op's shape rule. */
    List<Value> emit(Op op, Value... inputs);

    /** Declares the i-th output of the layer. */
    void output(int i, Value v);
}
