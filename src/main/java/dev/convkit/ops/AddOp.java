package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Element-wise sum of two or more tensors of one shape. Also sums gradient contributions in backward programs. */
public record AddOp(int arity) implements Op, Differentiable {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    public AddOp {
        if (arity < 2) throw new IllegalArgumentException("add needs at least 2 inputs, got " + arity);
    }

    @Override public String name() { return "add"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, arity);
        for (int i = 1; i < arity; i++) Checks.sameShape(this, in, 0, i);
        Checks.sameDType(this, in);
        return List.of(in.get(0));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy == null) return;
        for (int i = 0; i < arity; i++) if (b.needsGrad(i)) b.gradInput(i, dy);
    }
}
