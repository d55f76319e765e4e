package dev.convkit.ops;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * Keras SGD over a flat slice. Inputs: param (n,), grad (n,), velocity (n,), hyper (2,) = [lr, t].
 * In place: {@code v = momentum·v − lr·g}; {@code p += v}, or with nesterov {@code p += momentum·v − lr·g}.
 * With momentum 0: {@code p −= lr·g} (velocity untouched).
 */
public record SgdUpdate(float momentum, boolean nesterov) implements OptimizerUpdate {

    @Override public String name() { return "sgd_update"; }

    @Override public List<String> stateNames() { return List.of("velocity"); }

    @Override public void update(FloatBuffer[] slices, float lr, float t, int from, int to) {
        FloatBuffer p = slices[0], g = slices[1], v = slices[2];
        if (momentum == 0f) {
            for (int i = from; i < to; i++) p.put(i, p.get(i) - lr * g.get(i));
            return;
        }
        for (int i = from; i < to; i++) {
            float gi = g.get(i);
            float vi = momentum * v.get(i) - lr * gi;
            v.put(i, vi);
            p.put(i, p.get(i) + (nesterov ? momentum * vi - lr * gi : vi));
        }
    }

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }
}
