package dev.convkit.ops;

import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Inverse of {@link FlattenOp}: [N, H·W·C] in NHWC order → {@code dstShape} [N, C, H, W] (or [N, K] unchanged). */
public record Unflatten(Shape dstShape) implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "unflatten"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 1);
        Checks.require(in.get(0).rank() == 2 && in.get(0).size() == dstShape.size()
                && in.get(0).dim(0) == dstShape.dim(0), this, in, "src must be the flattened " + dstShape);
        return List.of(TensorSpec.of(in.get(0).dtype(), dstShape));
    }
}
