package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Keras Adam over a flat slice. Inputs: param (n,), grad (n,), m (n,), v (n,), hyper (2,) = [lr, t].
 * In place: {@code m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * p −= lr·√(1−β2^t)/(1−β1^t) · m / (√v + ε)} (Keras defaults β1 0.9, β2 0.999, ε 1e-7).
 */
public record AdamUpdate(float beta1, float beta2, float epsilon) implements Op {

    public static AdamUpdate kerasDefaults() { return new AdamUpdate(0.9f, 0.999f, 1e-7f); }

    @Override public String name() { return "adam_update"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) { return Updates.check(this, in, 4); }

    @Override public int[] inPlaceInputs() { return new int[] {0, 2, 3}; }
}
