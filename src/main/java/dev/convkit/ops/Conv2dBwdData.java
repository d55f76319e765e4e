package dev.convkit.ops;

import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Gradient of {@link Conv2d} with respect to its src: diffDst [N, O, OH, OW], weights [O, C/G, KH, KW] → diffSrc
 * {@code srcShape} [N, C, H, W], G = {@code groups}.
 */
public record Conv2dBwdData(Window2d window, Shape srcShape, int groups) implements Op {

    public Conv2dBwdData {
        if (groups < 1) throw new IllegalArgumentException("conv2d_bwd_data groups must be >= 1, got " + groups);
    }

    /** The gradient of an ungrouped convolution. */
    public Conv2dBwdData(Window2d window, Shape srcShape) { this(window, srcShape, 1); }

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "conv2d_bwd_data"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 2);
        Checks.rank(this, in, 0, 4, "diffDst");
        Checks.rank(this, in, 1, 4, "weights");
        TensorSpec dy = in.get(0), w = in.get(1);
        Checks.require(srcShape.rank() == 4, this, in, "srcShape must be NCHW, got " + srcShape);
        Conv2d.checkGroups(this, in, groups, srcShape.dim(1), w.dim(0), w.dim(1));
        Checks.require(dy.dim(1) == w.dim(0) && dy.dim(0) == srcShape.dim(0)
                && dy.dim(2) == window.outH(srcShape.dim(2)) && dy.dim(3) == window.outW(srcShape.dim(3)), this, in,
                "diffDst must be the conv2d output of src " + srcShape + " with these weights");
        return List.of(TensorSpec.of(in.get(0).dtype(), srcShape));
    }
}
