package dev.convkit.onnx;

import dev.convkit.graph.Model;
import java.util.Map;

/**
 * A model read from an ONNX file with its weights: {@code parameters} holds every parameter of {@code model} by
 * structural name, ready for {@code CompiledModel.loadParameters}.
 */
public record ImportedModel(Model model, Map<String, float[]> parameters) {
    public ImportedModel {
        parameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(parameters));
    }
}
