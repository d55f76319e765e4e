package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** dst = alpha · src. */
public record Scale(float alpha) implements Op, Differentiable {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "scale"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 1);
        return List.of(in.get(0));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy != null && b.needsGrad(0)) b.gradInput(0, b.emit(new Scale(alpha), dy).get(0));
    }
}
