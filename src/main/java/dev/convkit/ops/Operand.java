package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;

/** A value of a program as seen by a gradient rule: only its spec is visible here. */
public interface Operand {
    TensorSpec spec();
}
