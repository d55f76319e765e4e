package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Training-mode batch normalisation over N (and H, W) per channel.
 * Inputs: src [N, C] or [N, C, H, W], gamma [C], beta [C], runningMean [C], runningVar [C].
 * Outputs: dst (src's shape), mean [C], var [C] (biased batch variance; both kept for {@link BatchNormBwd}).
 * In place (Keras semantics): {@code running = momentum * running + (1 - momentum) * batch}, where the running
 * variance takes the unbiased batch variance (n / (n - 1)), as TensorFlow's fused kernel and PyTorch do.
 * {@code dst = gamma * (src - mean) / sqrt(var + eps) + beta}.
 */
public record BatchNormTrain(float epsilon, float momentum) implements Op, Differentiable {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "batch_norm_train"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        int c = BatchNormInfer.check(this, in);
        return List.of(in.get(0), TensorSpec.f32(c), TensorSpec.f32(c));
    }

    @Override public int[] inPlaceInputs() { return new int[] {3, 4}; }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy == null) return;
        List<Operand> g = b.emit(new BatchNormBwd(epsilon), b.input(0), dy, b.input(1), b.output(1), b.output(2));
        b.gradInput(0, g.get(0));
        b.gradInput(1, g.get(1));
        b.gradInput(2, g.get(2));
    }
}
