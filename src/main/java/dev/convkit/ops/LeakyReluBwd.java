package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Gradient of {@link LeakyRelu}: (src, diffDst) → diffSrc = dy·[x &gt; 0] + slope·dy·[x &lt; 0]. Composite:
 * {@code relu_bwd(relu(x), dy) + scale(slope)(relu_bwd(relu(−x), dy))}.
 */
public record LeakyReluBwd(float slope) implements Composite {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

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
