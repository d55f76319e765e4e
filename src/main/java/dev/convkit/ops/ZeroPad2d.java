package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Zero padding of H and W: [N, C, H, W] → [N, C, top + H + bottom, left + W + right]. Backward: {@link Crop2d}. */
public record ZeroPad2d(int top, int bottom, int left, int right) implements Op, Differentiable {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    public ZeroPad2d {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("zero padding must be >= 0, got " + top + "/" + bottom + "/" + left + "/" + right);
        }
    }

    @Override public String name() { return "zero_pad2d"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 1);
        Checks.rank(this, in, 0, 4, "src NCHW");
        TensorSpec x = in.get(0);
        return List.of(TensorSpec.of(x.dtype(), x.dim(0), x.dim(1), x.dim(2) + top + bottom, x.dim(3) + left + right));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy != null && b.needsGrad(0)) b.gradInput(0, b.emit(new Crop2d(top, bottom, left, right), dy).get(0));
    }
}
