package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Gradient of {@link SoftmaxCrossEntropy}: (probs [N, K], labels, diffLoss (1,)) → diffLogits = dL · (p − y) / N. */
public record SoftmaxCrossEntropyBwd(boolean sparse) implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return (sparse ? "sparse_softmax_xent" : "softmax_xent") + "_bwd"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 3);
        SoftmaxCrossEntropy.check(this, in);
        Checks.vector(this, in, 2, 1, "loss gradient");
        return List.of(in.get(0));
    }
}
