package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * {@link BatchNormInfer} followed by ReLU, as one op: {@code dst = max(0, gamma * (src - mean) / sqrt(var + eps) +
 * beta)} with the given (moving) statistics. Inputs and output as {@link BatchNormInfer}. The program builder
 * emits it in inference programs, in place of a BN whose output only a ReLU reads, for engines that ask for it
 * ({@code Backend.fuses}).
 */
public record BatchNormReluInfer(float epsilon) implements Composite {

    @Override public String name() { return "batch_norm_relu_infer"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        BatchNormInfer.check(this, in);
        return List.of(in.get(0));
    }

    /** relu(batch_norm_infer(inputs)). */
    @Override public List<Operand> decompose(OpEmitter e, List<Operand> in) {
        Operand y = e.emit(new BatchNormInfer(epsilon), in.toArray(Operand[]::new)).get(0);
        return e.emit(new ActivationOp(ActivationOp.Kind.RELU), y);
    }
}
