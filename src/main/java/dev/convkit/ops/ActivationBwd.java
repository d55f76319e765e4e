package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Gradient of {@link ActivationOp} from its dst: (dst, diffDst) → diffSrc. relu: dy·[y &gt; 0];
 * sigmoid: dy·y·(1 − y); tanh: dy·(1 − y²); softmax: y·(dy − Σ dy·y) per row.
 */
public record ActivationBwd(ActivationOp.Kind kind) implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return kind.lower() + "_bwd"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 2);
        Checks.sameShape(this, in, 0, 1);
        if (kind == ActivationOp.Kind.SOFTMAX) Checks.rank(this, in, 0, 2, "dst [N, K]");
        return List.of(in.get(0));
    }
}
