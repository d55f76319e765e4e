package dev.convkit.exec;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendException;
import dev.convkit.backend.MemoryKind;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a step's memory plan against what the engine can still allocate, before any of it is allocated. A batch too
 * large for the machine then fails with the planned bytes per arena, the memory available and the largest batch that
 * would fit, instead of an allocation failure deep in an engine or, with an overcommitting OS, the process being
 * killed when the memory is first touched.
 */
final class MemoryBudget {
    private MemoryBudget() {}

    /** Margin left for the JVM, the engine's own caches and the data pipeline: 5% of what is available, at least 256 MiB. */
    static long reserve(long available) { return Math.max(256L << 20, available / 20); }

    /**
     * @param step      the step's own arenas (activations, saved, scratch, io), all proportional to the batch but io
     * @param fixed     the model's arenas already allocated (params, grads, optimizer state), for the message
     */
    static void require(Backend backend, String model, boolean training, int batch, Map<MemoryKind, Long> step, Map<MemoryKind, Long> fixed) {
        long available = backend.availableMemory();
        if (available < 0) return;
        long need = step.values().stream().mapToLong(Long::longValue).sum();
        long usable = Math.max(0, available - reserve(available));
        if (need <= usable) return;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "a %s step of model '%s' at batch %d needs %s more (", training ? "training" : "inference", model, batch,
                human(need)));
        appendArenas(sb, step);
        sb.append(String.format(Locale.ROOT, "; already held: "));
        appendArenas(sb, fixed);
        sb.append(String.format(Locale.ROOT, ") but only %s is available to the %s engine (%s, less %s kept for the JVM and the data pipeline)",
                human(usable), backend.name(), human(available), human(reserve(available))));
        long perImage = Math.max(1, (need - step.getOrDefault(MemoryKind.IO, 0L)) / batch);
        long fits = usable / perImage;
        sb.append(fits >= 1 ? String.format(Locale.ROOT, "; a batch of at most about %d fits: lower --batch-size", fits)
                : "; not even a batch of 1 fits: use a smaller model or input, or a machine with more memory");
        throw new BackendException(backend.name(), null, List.of(), 0, sb.toString());
    }

    private static void appendArenas(StringBuilder sb, Map<MemoryKind, Long> m) {
        boolean first = true;
        for (Map.Entry<MemoryKind, Long> e : m.entrySet()) {
            if (e.getValue() == 0) continue;
            sb.append(first ? "" : ", ").append(e.getKey().name().toLowerCase(Locale.ROOT)).append(' ').append(human(e.getValue()));
            first = false;
        }
        if (first) sb.append("nothing");
    }

    static String human(long b) {
        if (b < 1024) return b + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
