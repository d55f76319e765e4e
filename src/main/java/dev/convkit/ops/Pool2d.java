package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Max or average pooling: src [N, C, H, W] → dst [N, C, OH, OW]. Average pooling divides by the number of
 * window elements inside the unpadded input (Keras/TensorFlow "same" semantics). Padded positions never win a
 * max. Backward: {@link Pool2dBwd}; an engine may keep the max positions as saved memory of the forward kernel.
 */
public record Pool2d(Kind kind, Window2d window) implements Op, Differentiable {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    public enum Kind { MAX, AVG }

    public Pool2d {
        if (window.dilationH() != 1 || window.dilationW() != 1) {
            throw new IllegalArgumentException("pooling takes no dilation, got " + window);
        }
    }

    @Override public String name() { return kind == Kind.MAX ? "max_pool2d" : "avg_pool2d"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 1);
        Checks.rank(this, in, 0, 4, "src NCHW");
        TensorSpec x = in.get(0);
        int oh = window.outH(x.dim(2)), ow = window.outW(x.dim(3));
        Checks.require(oh >= 1 && ow >= 1, this, in, "pool window " + window.kernelH() + "x" + window.kernelW()
                + " is larger than the padded input");
        Checks.require(window.padTop() < window.kernelH() && window.padBottom() < window.kernelH()
                && window.padLeft() < window.kernelW() && window.padRight() < window.kernelW(), this, in,
                "padding must be smaller than the window");
        return List.of(TensorSpec.of(x.dtype(), x.dim(0), x.dim(1), oh, ow));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy == null || !b.needsGrad(0)) return;
        b.gradInput(0, b.emit(new Pool2dBwd(kind, window), b.input(0), b.output(0), dy).get(0));
    }
}
