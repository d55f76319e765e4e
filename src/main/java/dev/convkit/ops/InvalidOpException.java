package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** An op applied to inputs it cannot accept. The message names the op, the input specs and the expectation. */
public final class InvalidOpException extends IllegalArgumentException {
    public InvalidOpException(Op op, List<TensorSpec> inputs, String expected) {
        super(op.name() + " " + op + ": inputs " + inputs + " are invalid: " + expected);
    }
}
