package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Leaky ReLU, {@code dst = src > 0 ? src : slope·src} (Keras LeakyReLU's negative_slope), any shape. Composite:
 * {@code relu(x) + scale(−slope)(relu(scale(−1)(x)))}, exact in f32 (one term is always 0 and negation is exact).
 * Backward: {@link Bwd}, which reads src. At src = 0 the gradient is 0 through the decomposition and may be
 * slope·dy in a dedicated kernel (oneDNN's).
 */
public record LeakyRelu(float slope) implements Composite, Differentiable {

    @Override public String name() { return "leaky_relu"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 1);
        return List.of(in.get(0));
    }

    @Override public List<Operand> decompose(OpEmitter e, List<Operand> in) {
        ActivationOp relu = new ActivationOp(ActivationOp.Kind.RELU);
        Operand positive = e.emit(relu, in.get(0)).get(0);
        Operand negated = e.emit(relu, e.emit(new Scale(-1f), in.get(0)).get(0)).get(0);
        return e.emit(new AddOp(2), positive, e.emit(new Scale(-slope), negated).get(0));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy != null && b.needsGrad(0)) b.gradInput(0, b.emit(new Bwd(slope), b.input(0), dy).get(0));
    }

    /**
     * Gradient of {@link LeakyRelu}: (src, diffDst) → diffSrc = dy·[x &gt; 0] + slope·dy·[x &lt; 0]. Composite:
     * {@code relu_bwd(relu(x), dy) + scale(slope)(relu_bwd(relu(−x), dy))}.
     */
    public record Bwd(float slope) implements Composite {

        @Override public String name() { return "leaky_relu_bwd"; }

        @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
            Checks.arity(this, in, 2);
            Checks.sameShape(this, in, 0, 1);
            return List.of(in.get(0));
        }

        @Override public List<Operand> decompose(OpEmitter e, List<Operand> in) {
            ActivationOp relu = new ActivationOp(ActivationOp.Kind.RELU);
            ActivationBwd reluBwd = new ActivationBwd(ActivationOp.Kind.RELU);
            Operand x = in.get(0), dy = in.get(1);
            Operand positive = e.emit(reluBwd, e.emit(relu, x).get(0), dy).get(0);
            Operand negative = e.emit(reluBwd, e.emit(relu, e.emit(new Scale(-1f), x).get(0)).get(0), dy).get(0);
            return e.emit(new AddOp(2), positive, e.emit(new Scale(slope), negative).get(0));
        }
    }
}
