package dev.convkit.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads older checkpoint sidecars as the current version, so run folders written by earlier ConvKit releases still
 * resume, evaluate and predict. Version 1 differs from 2 in two places: epoch numbers (the history's {@code epoch},
 * the callbacks' {@code best_epoch}) counted from 0, and the pipeline's augmentation recorded as text, which
 * {@link DataState#requireSame} compares as text.
 */
final class CheckpointUpgrade {
    private CheckpointUpgrade() {}

    /** A version-1 sidecar in version 2's form; the argument is not changed. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> fromVersion1(Map<String, Object> side) {
        Map<String, Object> m = new LinkedHashMap<>(side);
        if (side.get("history") instanceof List<?> history) {
            List<Object> shifted = new ArrayList<>();
            for (Object o : history) shifted.add(o instanceof Map<?, ?> e ? plusOne((Map<String, Object>) e, "epoch") : o);
            m.put("history", shifted);
        }
        if (side.get("callbacks") instanceof Map<?, ?> callbacks) {
            Map<String, Object> states = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : callbacks.entrySet()) {
                states.put((String) e.getKey(), e.getValue() instanceof Map<?, ?> s ? plusOne((Map<String, Object>) s, "best_epoch") : e.getValue());
            }
            m.put("callbacks", states);
        }
        return m;
    }

    private static Map<String, Object> plusOne(Map<String, Object> o, String key) {
        if (!(o.get(key) instanceof Number n)) return o;
        Map<String, Object> copy = new LinkedHashMap<>(o);
        copy.put(key, n.longValue() + 1);
        return copy;
    }
}
