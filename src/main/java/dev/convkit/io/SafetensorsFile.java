package dev.convkit.io;

import java.util.Map;

/**
 * The content of a safetensors file: tensors by name (in the order the header lists them) and the free-form
 * {@code __metadata__} string map (empty when the file has none). Both maps are unmodifiable.
 */
public record SafetensorsFile(Map<String, HostTensor> tensors, Map<String, String> metadata) {

    public SafetensorsFile {
        tensors = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(tensors));
        metadata = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metadata));
    }

    /** The tensor called {@code name}; a missing name is an error that lists what the file has. */
    public HostTensor tensor(String name) {
        HostTensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("no tensor named '" + name + "'; the file has " + tensors.keySet());
        return t;
    }
}
