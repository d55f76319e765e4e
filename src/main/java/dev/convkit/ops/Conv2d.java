package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * 2-D convolution (cross-correlation, as every framework): src [N, C, H, W], weights [O, C/G, KH, KW], optional
 * bias [O] → dst [N, O, OH, OW], with G = {@code groups}. Output channel o reads only the C/G src channels of its
 * group o / (O/G), so G = 1 is the ordinary convolution and G = C with O = C·m is the depthwise convolution with
 * channel multiplier m (Keras DepthwiseConv2D). Backward: {@link Conv2dBwdData} (dy, w → dx) and
 * {@link Conv2dBwdFilter} (x, dy → dw, db), both with the same groups.
 */
public record Conv2d(Window2d window, boolean bias, int groups) implements Op, Differentiable {

    public Conv2d {
        if (groups < 1) throw new IllegalArgumentException("conv2d groups must be >= 1, got " + groups);
    }

    /** An ungrouped convolution (groups 1). */
    public Conv2d(Window2d window, boolean bias) { this(window, bias, 1); }

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "conv2d"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, bias ? 3 : 2);
        Checks.rank(this, in, 0, 4, "src NCHW");
        Checks.rank(this, in, 1, 4, "weights OIHW");
        TensorSpec x = in.get(0), w = in.get(1);
        checkGroups(this, in, groups, x.dim(1), w.dim(0), w.dim(1));
        Checks.require(w.dim(2) == window.kernelH() && w.dim(3) == window.kernelW(), this, in,
                "weights spatial size must be the kernel " + window.kernelH() + "x" + window.kernelW());
        if (bias) Checks.vector(this, in, 2, w.dim(0), "bias");
        int oh = window.outH(x.dim(2)), ow = window.outW(x.dim(3));
        Checks.require(oh >= 1 && ow >= 1, this, in, "kernel " + window.effectiveKernelH() + "x"
                + window.effectiveKernelW() + " (dilated) is larger than the padded input "
                + (x.dim(2) + window.padTop() + window.padBottom()) + "x" + (x.dim(3) + window.padLeft() + window.padRight()));
        return List.of(TensorSpec.of(x.dtype(), x.dim(0), w.dim(0), oh, ow));
    }

    /**
     * The channel rule shared by the three convolution records: src channels = weights in-channels · groups, and the
     * out-channels divide into the groups.
     */
    static void checkGroups(Op op, List<TensorSpec> in, int groups, int srcChannels, int outChannels, int inPerGroup) {
        if (groups == 1) {
            Checks.require(srcChannels == inPerGroup, op, in, "weights in-channels " + inPerGroup
                    + " must equal src channels " + srcChannels);
            return;
        }
        Checks.require(srcChannels == inPerGroup * groups, op, in, "weights in-channels " + inPerGroup + " times "
                + groups + " groups must equal src channels " + srcChannels);
        Checks.require(outChannels % groups == 0, op, in, "out-channels " + outChannels
                + " must be a multiple of the " + groups + " groups");
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy == null) return;
        if (b.needsGrad(0)) {
            b.gradInput(0, b.emit(new Conv2dBwdData(window, b.input(0).spec().shape(), groups), dy, b.input(1)).get(0));
        }
        if (b.needsGrad(1) || (bias && b.needsGrad(2))) {
            List<Operand> g = b.emit(new Conv2dBwdFilter(window, b.input(1).spec().shape(), bias, groups), b.input(0), dy);
            b.gradInput(1, g.get(0));
            if (bias) b.gradInput(2, g.get(1));
        }
    }
}
