package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Mean over H and W: src [N, C, H, W] → dst [N, C]. Backward: {@link GlobalAvgPoolBwd}. */
public record GlobalAvgPool() implements Op, Differentiable {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "global_avg_pool"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 1);
        Checks.rank(this, in, 0, 4, "src NCHW");
        return List.of(TensorSpec.of(in.get(0).dtype(), in.get(0).dim(0), in.get(0).dim(1)));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy == null || !b.needsGrad(0)) return;
        b.gradInput(0, b.emit(new GlobalAvgPoolBwd(b.input(0).spec().shape()), dy).get(0));
    }
}
