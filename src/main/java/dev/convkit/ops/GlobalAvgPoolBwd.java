package dev.convkit.ops;

import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Gradient of {@link GlobalAvgPool}: diffDst [N, C] → diffSrc {@code srcShape}, each element dy / (H·W). */
public record GlobalAvgPoolBwd(Shape srcShape) implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "global_avg_pool_bwd"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 1);
        Checks.require(srcShape.rank() == 4 && in.get(0).rank() == 2 && in.get(0).dim(0) == srcShape.dim(0)
                && in.get(0).dim(1) == srcShape.dim(1), this, in, "diffDst must be [N, C] of src " + srcShape);
        return List.of(TensorSpec.of(in.get(0).dtype(), srcShape));
    }
}
