package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Inference-mode batch normalisation with fixed statistics.
 * Inputs: src [N, C] or [N, C, H, W], gamma [C], beta [C], mean [C], var [C] → dst (src's shape).
 */
public record BatchNormInfer(float epsilon) implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "batch_norm_infer"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        check(this, in);
        return List.of(in.get(0));
    }

    /** Shared validation of (src, gamma, beta, mean, var); returns C. */
    static int check(Op op, List<TensorSpec> in) {
        Checks.arity(op, in, 5);
        TensorSpec x = in.get(0);
        Checks.require(x.rank() == 2 || x.rank() == 4, op, in, "src must be [N, C] or [N, C, H, W]");
        int c = x.dim(1);
        Checks.vector(op, in, 1, c, "gamma");
        Checks.vector(op, in, 2, c, "beta");
        Checks.vector(op, in, 3, c, "mean");
        Checks.vector(op, in, 4, c, "variance");
        return c;
    }
}
