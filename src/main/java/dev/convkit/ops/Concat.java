package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Concatenation along channels (axis 1) of [N, Ci, H, W] or [N, Ci] tensors that agree on every other axis.
 * Backward: {@link SplitOp} of the gradient into the same channel counts.
 */
public record Concat(int arity) implements Op, Differentiable {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    public Concat {
        if (arity < 2) throw new IllegalArgumentException("concat needs at least 2 inputs, got " + arity);
    }

    @Override public String name() { return "concat"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, arity);
        TensorSpec first = in.get(0);
        Checks.sameDType(this, in);
        Checks.require(first.rank() == 2 || first.rank() == 4, this, in, "inputs must be [N, C] or [N, C, H, W]");
        int channels = 0;
        for (TensorSpec s : in) {
            boolean ok = s.rank() == first.rank() && s.dim(0) == first.dim(0);
            for (int a = 2; ok && a < s.rank(); a++) ok = s.dim(a) == first.dim(a);
            Checks.require(ok, this, in, "every input must match " + first.shape() + " on all axes but 1 (channels)");
            channels += s.dim(1);
        }
        return List.of(first.withShape(first.shape().with(1, channels)));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy == null) return;
        int[] sizes = new int[arity];
        for (int i = 0; i < arity; i++) sizes[i] = b.input(i).spec().dim(1);
        List<Operand> parts = b.emit(new SplitOp(sizes), dy);
        for (int i = 0; i < arity; i++) if (b.needsGrad(i)) b.gradInput(i, parts.get(i));
    }
}
