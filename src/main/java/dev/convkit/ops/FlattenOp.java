package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Keras Flatten: [N, C, H, W] → [N, H·W·C] with features in NHWC order (h, then w, then c), so a Dense layer
 * after it has exactly Keras's weight order. A [N, K] input passes through unchanged. Backward: {@link Unflatten}.
 */
public record FlattenOp() implements Op, Differentiable {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "flatten"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 1);
        TensorSpec x = in.get(0);
        Checks.require(x.rank() == 2 || x.rank() == 4, this, in, "src must be [N, C, H, W] or [N, K]");
        return List.of(TensorSpec.of(x.dtype(), x.dim(0), (int) (x.size() / x.dim(0))));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy != null && b.needsGrad(0)) b.gradInput(0, b.emit(new Unflatten(b.input(0).spec().shape()), dy).get(0));
    }
}
