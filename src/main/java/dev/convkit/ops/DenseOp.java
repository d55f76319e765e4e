package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Fully connected layer: src [N, K] · weights [K, M] (+ bias [M]) → dst [N, M]. Weights are [in, out] as in Keras.
 * Backward: {@link DenseBwdData} and {@link DenseBwdWeights}.
 */
public record DenseOp(boolean bias) implements Op, Differentiable {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "dense"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, bias ? 3 : 2);
        Checks.rank(this, in, 0, 2, "src [N, K]");
        Checks.rank(this, in, 1, 2, "weights [K, M]");
        Checks.require(in.get(0).dim(1) == in.get(1).dim(0), this, in, "weights rows " + in.get(1).dim(0)
                + " must equal src features " + in.get(0).dim(1));
        if (bias) Checks.vector(this, in, 2, in.get(1).dim(1), "bias");
        return List.of(TensorSpec.of(in.get(0).dtype(), in.get(0).dim(0), in.get(1).dim(1)));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy == null) return;
        if (b.needsGrad(0)) b.gradInput(0, b.emit(new DenseBwdData(), dy, b.input(1)).get(0));
        if (b.needsGrad(1) || (bias && b.needsGrad(2))) {
            List<Operand> g = b.emit(new DenseBwdWeights(bias), b.input(0), dy);
            b.gradInput(1, g.get(0));
            if (bias) b.gradInput(2, g.get(1));
        }
    }
}
