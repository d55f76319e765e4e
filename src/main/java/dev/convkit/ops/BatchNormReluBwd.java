package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Gradient of {@link BatchNormReluTrain}. Inputs: src, dst (the forward op's ReLU output), diffDst, gamma [C], mean
 * [C], var [C]. Outputs: diffSrc, diffGamma [C], diffBeta [C]: {@link BatchNormBwd} applied to {@code diffDst · [dst
 * > 0]}. An engine may instead read the mask its forward kernel saved (oneDNN's workspace); dst defines it.
 */
public record BatchNormReluBwd(float epsilon) implements Op {

    @Override public String name() { return "batch_norm_relu_bwd"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 6);
        TensorSpec x = in.get(0);
        Checks.require(x.rank() == 2 || x.rank() == 4, this, in, "src must be [N, C] or [N, C, H, W]");
        Checks.sameShape(this, in, 0, 1);
        Checks.sameShape(this, in, 0, 2);
        int c = x.dim(1);
        Checks.vector(this, in, 3, c, "gamma");
        Checks.vector(this, in, 4, c, "mean");
        Checks.vector(this, in, 5, c, "variance");
        return List.of(x, TensorSpec.f32(c), TensorSpec.f32(c));
    }
}
