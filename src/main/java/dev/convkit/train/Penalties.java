package dev.convkit.train;

import dev.convkit.exec.CompiledModel;
import dev.convkit.graph.ParamSpec;
import java.util.Map;

/** The L2 penalty Σ λ·Σw² of a model's current weights, which Keras adds to every reported loss. */
final class Penalties {
    private Penalties() {}

    /** 0 without any L2 coefficient, without reading parameters back; {@code averaged}: of the weights' moving average. */
    static double l2(CompiledModel model, boolean averaged) {
        Map<String, ParamSpec> specs = model.model().params();
        if (specs.values().stream().noneMatch(p -> p.l2() > 0)) return 0;
        double total = 0;
        for (Map.Entry<String, float[]> e : (averaged ? model.averagedParameters() : model.parameters()).entrySet()) {
            float l2 = specs.get(e.getKey()).l2();
            if (l2 <= 0) continue;
            double sum = 0;
            for (float w : e.getValue()) sum += (double) w * w;
            total += l2 * sum;
        }
        return total;
    }
}
