package dev.convkit.ops;

import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Gradient of {@link Conv2d} with respect to its src: diffDst [N, O, OH, OW], weights [O, C, KH, KW] → diffSrc {@code srcShape}. */
public record Conv2dBwdData(Window2d window, Shape srcShape) implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "conv2d_bwd_data"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 2);
        Checks.rank(this, in, 0, 4, "diffDst");
        Checks.rank(this, in, 1, 4, "weights");
        TensorSpec dy = in.get(0), w = in.get(1);
        Checks.require(srcShape.rank() == 4 && srcShape.dim(1) == w.dim(1) && dy.dim(1) == w.dim(0)
                && dy.dim(0) == srcShape.dim(0) && dy.dim(2) == window.outH(srcShape.dim(2))
                && dy.dim(3) == window.outW(srcShape.dim(3)), this, in,
                "diffDst must be the conv2d output of src " + srcShape + " with these weights");
        return List.of(TensorSpec.of(in.get(0).dtype(), srcShape));
    }
}
