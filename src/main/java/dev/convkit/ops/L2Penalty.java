package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Keras {@code l2(lambda)} regulariser: weights → (1,) = λ·Σw². Backward: {@link L2PenaltyBwd}. */
public record L2Penalty(float lambda) implements Op, Differentiable {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "l2_penalty"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 1);
        return List.of(TensorSpec.f32(1));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand d = b.gradOutput(0);
        if (d != null && b.needsGrad(0)) b.gradInput(0, b.emit(new L2PenaltyBwd(lambda), b.input(0), d).get(0));
    }
}
