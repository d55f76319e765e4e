package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Keras SGD over a flat slice. Inputs: param (n,), grad (n,), velocity (n,), hyper (2,) = [lr, t].
 * In place: {@code v = momentum·v − lr·g}; {@code p += v}, or with nesterov {@code p += momentum·v − lr·g}.
 * With momentum 0: {@code p −= lr·g} (velocity untouched).
 */
public record SgdUpdate(float momentum, boolean nesterov) implements Op {

    @Override public String name() { return "sgd_update"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) { return Updates.check(this, in, 3); }

    @Override public int[] inPlaceInputs() { return new int[] {0, 2}; }
}
