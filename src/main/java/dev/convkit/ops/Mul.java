package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Element-wise product of two tensors of one shape (the backward of {@link DropoutOp}: dy · mask). */
public record Mul() implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "mul"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 2);
        Checks.sameDType(this, in);
        Checks.sameShape(this, in, 0, 1);
        return List.of(in.get(0));
    }
}
