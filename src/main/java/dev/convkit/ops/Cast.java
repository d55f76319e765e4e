package dev.convkit.ops;

import dev.convkit.tensor.DType;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Element-type conversion: src of any shape → dst of the same shape in {@code to}. f32 → bf16 rounds to nearest
 * even (the engine's conversion); bf16 → f32 is exact. Mixed-precision programs insert it where an activation
 * crosses between precisions ({@code graph.MixedPrecision}). Backward: the gradient is cast back to src's type.
 */
public record Cast(DType to) implements Op, Differentiable {

    public Cast {
        if (to == null) throw new NullPointerException("cast target type is null");
    }

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return "cast_" + to.lower(); }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 1);
        return List.of(in.get(0).withDType(to));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy == null || !b.needsGrad(0)) return;
        DType from = b.input(0).spec().dtype();
        b.gradInput(0, dy.spec().dtype() == from ? dy : b.emit(new Cast(from), dy).get(0));
    }
}
