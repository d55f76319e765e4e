package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Element-wise activation (relu, relu6 = min(max(x, 0), 6) as Keras's ReLU(max_value=6), sigmoid, tanh) or softmax
 * over axis 1 of [N, K]: src → dst of the same shape. Backward ({@link ActivationBwd}) reads dst, not src, so src need
 * not be kept alive; relu6's gradient dy·[0 &lt; y &lt; 6] is TensorFlow's (0 at both kinks).
 */
public record ActivationOp(Kind kind) implements Op, Differentiable {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    public enum Kind { RELU, RELU6, SIGMOID, TANH, SOFTMAX;
        public String lower() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    @Override public String name() { return kind.lower(); }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 1);
        if (kind == Kind.SOFTMAX) Checks.rank(this, in, 0, 2, "logits [N, K]");
        return List.of(in.get(0));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy == null || !b.needsGrad(0)) return;
        b.gradInput(0, b.emit(new ActivationBwd(kind), b.output(0), dy).get(0));
    }
}
