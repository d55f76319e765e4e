package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Keras RMSprop (no momentum, not centred) over a flat slice. Inputs: param (n,), grad (n,), meanSquare (n,),
 * hyper (2,) = [lr, t]. In place: {@code ms = ρ·ms + (1−ρ)·g²; p −= lr·g / (√ms + ε)} (Keras defaults ρ 0.9, ε 1e-7).
 */
public record RmsPropUpdate(float rho, float epsilon) implements Op {

    public static RmsPropUpdate kerasDefaults() { return new RmsPropUpdate(0.9f, 1e-7f); }

    @Override public String name() { return "rmsprop_update"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) { return Updates.check(this, in, 3); }

    @Override public int[] inPlaceInputs() { return new int[] {0, 2}; }
}
