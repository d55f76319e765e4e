package dev.convkit.ops;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * Keras RMSprop (no momentum, not centred) over a flat slice. Inputs: param (n,), grad (n,), meanSquare (n,),
 * hyper (2,) = [lr, t]. In place: {@code ms = ρ·ms + (1−ρ)·g²; p −= lr·g / (√ms + ε)} (Keras defaults ρ 0.9, ε 1e-7).
 */
public record RmsPropUpdate(float rho, float epsilon) implements OptimizerUpdate {

    public static RmsPropUpdate kerasDefaults() { return new RmsPropUpdate(0.9f, 1e-7f); }

    @Override public String name() { return "rmsprop_update"; }

    @Override public List<String> stateNames() { return List.of("mean_square"); }

    @Override public void update(FloatBuffer[] slices, float lr, float t, int from, int to) {
        FloatBuffer p = slices[0], g = slices[1], ms = slices[2];
        for (int i = from; i < to; i++) {
            float gi = g.get(i);
            float si = rho * ms.get(i) + (1 - rho) * gi * gi;
            ms.put(i, si);
            p.put(i, p.get(i) - lr * gi / ((float) Math.sqrt(si) + epsilon));
        }
    }

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }
}
