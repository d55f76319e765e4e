package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Gradient of {@link L2Penalty}: (weights, diffPenalty (1,)) → 2·λ·dP·w. */
public record L2PenaltyBwd(float lambda) implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "l2_penalty_bwd"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 2);
        Checks.vector(this, in, 1, 1, "penalty gradient");
        return List.of(in.get(0));
    }
}
