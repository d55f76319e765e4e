package dev.convkit.cli;

import dev.convkit.data.Dataset;
import dev.convkit.io.Json;
import dev.convkit.models.ModelConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the commands size a zoo model: for the dataset's image shape and class count, and how that is recorded in a
 * checkpoint ({@code {"registry_name", "input", "classes"}}) so evaluate and predict rebuild the same model.
 */
final class ModelShapes {
    private ModelShapes() {}

    static ModelConfig config(Dataset data) {
        return ModelConfig.defaults().withInput(data.imageShape().dims()).withClasses(data.numClasses());
    }

    static Map<String, Object> record(String registryName, Dataset data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("registry_name", registryName);
        m.put("input", data.imageShape().dims());
        m.put("classes", data.numClasses());
        return m;
    }

    /** The config a checkpoint's model record describes. */
    static ModelConfig fromRecord(Map<String, Object> m) {
        Object in = m.get("input");
        if (!(in instanceof List<?> dims) || dims.size() != 3) throw new CliException("the checkpoint's model record has no (C, H, W) input: " + m);
        int[] chw = new int[3];
        for (int i = 0; i < 3; i++) chw[i] = Math.toIntExact(Json.toLong(dims.get(i)));
        return ModelConfig.defaults().withInput(chw).withClasses(Math.toIntExact(Json.toLong(m.get("classes"))));
    }

    /** The registry name recorded by {@link #record}, or null when the checkpoint was written otherwise. */
    static String registryName(Map<String, Object> m) { return m.get("registry_name") instanceof String s ? s : null; }
}
