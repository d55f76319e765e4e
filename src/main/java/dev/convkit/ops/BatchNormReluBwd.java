package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Gradient of {@link BatchNormReluTrain}. Inputs: src, dst (the forward op's ReLU output), diffDst, gamma [C], mean
 * [C], var [C]. Outputs: diffSrc, diffGamma [C], diffBeta [C]: {@link BatchNormBwd} applied to {@code diffDst · [dst
 * > 0]}. An engine may instead read the mask its forward kernel saved (oneDNN's workspace); dst defines it.
 */
public record BatchNormReluBwd(float epsilon) implements Composite {

    @Override public String name() { return "batch_norm_relu_bwd"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        int c = BatchNormBwd.check(this, in, 3);
        return List.of(in.get(0), TensorSpec.f32(c), TensorSpec.f32(c));
    }

    /** batch_norm_bwd(src, relu_bwd(dst, diffDst), gamma, mean, var). */
    @Override public List<Operand> decompose(OpEmitter e, List<Operand> in) {
        Operand masked = e.emit(new ActivationBwd(ActivationOp.Kind.RELU), in.get(1), in.get(2)).get(0);
        return e.emit(new BatchNormBwd(epsilon), in.get(0), masked, in.get(3), in.get(4), in.get(5));
    }
}
