package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Gradient of {@link DenseOp} with respect to src: diffDst [N, M], weights [K, M] → diffSrc [N, K] = dy · wᵀ. */
public record DenseBwdData() implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "dense_bwd_data"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 2);
        Checks.rank(this, in, 0, 2, "diffDst [N, M]");
        Checks.rank(this, in, 1, 2, "weights [K, M]");
        Checks.require(in.get(0).dim(1) == in.get(1).dim(1), this, in, "diffDst columns must equal weights columns");
        return List.of(TensorSpec.of(in.get(0).dtype(), in.get(0).dim(0), in.get(1).dim(0)));
    }
}
