package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Gradient of {@link BatchNormTrain}. Inputs: src, diffDst, gamma [C], mean [C], var [C] (the batch statistics
 * the forward op produced). Outputs: diffSrc, diffGamma [C], diffBeta [C].
 */
public record BatchNormBwd(float epsilon) implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "batch_norm_bwd"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        int c = check(this, in, 2);
        return List.of(in.get(0), TensorSpec.f32(c), TensorSpec.f32(c));
    }

    /**
     * Checks the inputs of a BN gradient op: {@code tensors} tensors of src's shape (src first), then gamma, mean
     * and var of length C. Returns C.
     */
    static int check(Op op, List<TensorSpec> in, int tensors) {
        Checks.arity(op, in, tensors + 3);
        TensorSpec x = in.get(0);
        Checks.require(x.rank() == 2 || x.rank() == 4, op, in, "src must be [N, C] or [N, C, H, W]");
        for (int i = 1; i < tensors; i++) Checks.sameShape(op, in, 0, i);
        int c = x.dim(1);
        Checks.vector(op, in, tensors, c, "gamma");
        Checks.vector(op, in, tensors + 1, c, "mean");
        Checks.vector(op, in, tensors + 2, c, "variance");
        return c;
    }
}
