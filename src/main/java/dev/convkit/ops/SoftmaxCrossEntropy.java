package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Softmax cross-entropy averaged over the batch. Inputs: logits [N, K] and labels, either one-hot/probabilities
 * [N, K] or, when {@code sparse}, class indices [N] stored as exact integers in f32. Outputs: loss (1,) and
 * probs [N, K] (the softmax, kept for the backward op and for metrics). Backward: {@link SoftmaxCrossEntropyBwd}.
 */
public record SoftmaxCrossEntropy(boolean sparse) implements Op, Differentiable {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return sparse ? "sparse_softmax_xent" : "softmax_xent"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        check(this, in);
        return List.of(TensorSpec.f32(1), in.get(0));
    }

    static void check(Op op, List<TensorSpec> in) {
        Checks.rank(op, in, 0, 2, "logits/probs [N, K]");
        TensorSpec l = in.get(1);
        if (op instanceof SoftmaxCrossEntropy s ? s.sparse() : ((SoftmaxCrossEntropyBwd) op).sparse()) {
            Checks.require(l.rank() == 1 && l.dim(0) == in.get(0).dim(0), op, in,
                    "sparse labels must be (" + in.get(0).dim(0) + ",) class indices");
        } else {
            Checks.sameShape(op, in, 0, 1);
        }
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dLoss = b.gradOutput(0);
        if (dLoss == null || !b.needsGrad(0)) return;
        b.gradInput(0, b.emit(new SoftmaxCrossEntropyBwd(sparse), b.output(1), b.input(1), dLoss).get(0));
    }
}
