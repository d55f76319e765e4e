package dev.convkit.ops;

import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Gradient of {@link Conv2d} with respect to weights (and bias): src [N, C, H, W], diffDst [N, O, OH, OW] →
 * diffWeights {@code weightShape} [O, C/G, KH, KW], diffBias [O]; G = {@code groups}.
 */
public record Conv2dBwdFilter(Window2d window, Shape weightShape, boolean bias, int groups) implements Op {

    public Conv2dBwdFilter {
        if (groups < 1) throw new IllegalArgumentException("conv2d_bwd_filter groups must be >= 1, got " + groups);
    }

    /** The gradient of an ungrouped convolution. */
    public Conv2dBwdFilter(Window2d window, Shape weightShape, boolean bias) { this(window, weightShape, bias, 1); }

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "conv2d_bwd_filter"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 2);
        Checks.rank(this, in, 0, 4, "src");
        Checks.rank(this, in, 1, 4, "diffDst");
        TensorSpec x = in.get(0), dy = in.get(1);
        Checks.require(weightShape.rank() == 4, this, in, "weightShape must be OIHW, got " + weightShape);
        Conv2d.checkGroups(this, in, groups, x.dim(1), weightShape.dim(0), weightShape.dim(1));
        Checks.require(dy.dim(1) == weightShape.dim(0) && x.dim(0) == dy.dim(0) && dy.dim(2) == window.outH(x.dim(2))
                && dy.dim(3) == window.outW(x.dim(3)),
                this, in, "diffDst must be the conv2d output of this src with weights " + weightShape);
        List<TensorSpec> out = new ArrayList<>();
        out.add(TensorSpec.f32(weightShape));
        if (bias) out.add(TensorSpec.f32(weightShape.dim(0)));
        return out;
    }
}
