package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/** Gradient of {@link DenseOp} with respect to weights and bias: src [N, K], diffDst [N, M] → dW [K, M] = xᵀ · dy, db [M]. */
public record DenseBwdWeights(boolean bias) implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "dense_bwd_weights"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 2);
        Checks.rank(this, in, 0, 2, "src [N, K]");
        Checks.rank(this, in, 1, 2, "diffDst [N, M]");
        Checks.require(in.get(0).dim(0) == in.get(1).dim(0), this, in, "src and diffDst must have the same batch");
        List<TensorSpec> out = new ArrayList<>();
        out.add(TensorSpec.f32(in.get(0).dim(1), in.get(1).dim(1)));
        if (bias) out.add(TensorSpec.f32(in.get(1).dim(1)));
        return out;
    }
}
