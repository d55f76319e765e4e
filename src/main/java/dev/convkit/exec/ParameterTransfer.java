package dev.convkit.exec;

import dev.convkit.backend.Backend;
import dev.convkit.backend.Buffer;
import dev.convkit.graph.Model;
import dev.convkit.graph.ParamSpec;
import java.nio.FloatBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** Host copies of a model's named parameters (canonical layout), wherever a function places each on the engine. */
final class ParameterTransfer {
    private ParameterTransfer() {}

    /** Every parameter of {@code model}, in model order, read from {@code where(name)} after the queued work ends. */
    static Map<String, float[]> download(Backend backend, Model model, Function<String, Buffer> where) {
        backend.synchronize();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, ParamSpec> e : model.params().entrySet()) {
            float[] data = new float[(int) e.getValue().count()];
            backend.download(where.apply(e.getKey()), FloatBuffer.wrap(data));
            out.put(e.getKey(), data);
        }
        return out;
    }

    /** Writes each value to {@code where(name)}; every name must belong to the model with the right element count. */
    static void upload(Backend backend, Model model, Map<String, float[]> values, Function<String, Buffer> where) {
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            ParamSpec ps = model.params().get(e.getKey());
            if (ps == null) throw new IllegalArgumentException("parameter '" + e.getKey() + "' does not belong to model '" + model.name() + "'");
            if (ps.count() != e.getValue().length) throw new IllegalArgumentException("parameter '" + e.getKey() + "' of model '"
                    + model.name() + "' has shape " + ps.shape() + " (" + ps.count() + " values), got " + e.getValue().length + " values");
            backend.upload(where.apply(e.getKey()), FloatBuffer.wrap(e.getValue()));
        }
    }
}
