package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * {@link BatchNormTrain} followed by ReLU, as one op: {@code dst = max(0, gamma * (src - mean) / sqrt(var + eps) +
 * beta)}. Inputs, outputs, running-statistics update and in-place inputs are those of {@link BatchNormTrain}; only
 * dst differs. The program builder emits it in place of the pair (BN whose output only a ReLU reads) for engines
 * that ask for it ({@code Backend.fuses}), so one pass over the activation replaces two forward and two backward.
 */
public record BatchNormReluTrain(float epsilon, float momentum) implements Composite, Differentiable {

    @Override public String name() { return "batch_norm_relu_train"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        int c = BatchNormInfer.check(this, in);
        return List.of(in.get(0), TensorSpec.f32(c), TensorSpec.f32(c));
    }

    @Override public int[] inPlaceInputs() { return new int[] {3, 4}; }

    /** {@code (relu(y), mean, var)} of {@code (y, mean, var) = batch_norm_train(inputs)}. */
    @Override public List<Operand> decompose(OpEmitter e, List<Operand> in) {
        List<Operand> bn = e.emit(new BatchNormTrain(epsilon, momentum), in.toArray(Operand[]::new));
        return List.of(e.emit(new ActivationOp(ActivationOp.Kind.RELU), bn.get(0)).get(0), bn.get(1), bn.get(2));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy == null) return;
        List<Operand> g = b.emit(new BatchNormReluBwd(epsilon), b.input(0), b.output(0), dy, b.input(1), b.output(1),
                b.output(2));
        b.gradInput(0, g.get(0));
        b.gradInput(1, g.get(1));
        b.gradInput(2, g.get(2));
    }
}
