package dev.convkit.ops;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * Keras Adam over a flat slice. Inputs: param (n,), grad (n,), m (n,), v (n,), hyper (2,) = [lr, t].
 * In place: {@code m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
 * p −= lr·√(1−β2^t)/(1−β1^t) · m / (√v + ε)} (Keras defaults β1 0.9, β2 0.999, ε 1e-7).
 */
public record AdamUpdate(float beta1, float beta2, float epsilon) implements OptimizerUpdate {

    public static AdamUpdate kerasDefaults() { return new AdamUpdate(0.9f, 0.999f, 1e-7f); }

    @Override public String name() { return "adam_update"; }

    @Override public List<String> stateNames() { return List.of("m", "v"); }

    /** The bias-corrected step size lr·√(1−β2^t)/(1−β1^t), computed in double and rounded to f32 once. */
    public float stepSize(float lr, float t) {
        return (float) (lr * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t)));
    }

    @Override public void update(FloatBuffer[] slices, float lr, float t, int from, int to) {
        FloatBuffer p = slices[0], g = slices[1], m = slices[2], v = slices[3];
        float step = stepSize(lr, t);
        for (int i = from; i < to; i++) {
            float gi = g.get(i);
            float mi = beta1 * m.get(i) + (1 - beta1) * gi;
            float vi = beta2 * v.get(i) + (1 - beta2) * gi * gi;
            m.put(i, mi);
            v.put(i, vi);
            p.put(i, p.get(i) - step * mi / ((float) Math.sqrt(vi) + epsilon));
        }
    }

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }
}
