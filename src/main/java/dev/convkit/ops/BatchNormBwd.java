package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Gradient of {@link BatchNormTrain}. Inputs: src, diffDst, gamma [C], mean [C], var [C] (the batch statistics
 * the forward op produced). Outputs: diffSrc, diffGamma [C], diffBeta [C].
 */
public record BatchNormBwd(float epsilon) implements Op {

    @Override public String name() { return "batch_norm_bwd"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 5);
        TensorSpec x = in.get(0);
        Checks.require(x.rank() == 2 || x.rank() == 4, this, in, "src must be [N, C] or [N, C, H, W]");
        Checks.sameShape(this, in, 0, 1);
        int c = x.dim(1);
        Checks.vector(this, in, 2, c, "gamma");
        Checks.vector(this, in, 3, c, "mean");
        Checks.vector(this, in, 4, c, "variance");
        return List.of(x, TensorSpec.f32(c), TensorSpec.f32(c));
    }
}
