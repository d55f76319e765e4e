package dev.convkit.bench;

import dev.convkit.backend.Availability;
import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.BackendProvider;
import dev.convkit.backend.Backends;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Opens benchmark engines by name and says which installed engines cannot run here, and why. */
public final class Engines {
    private Engines() {}

    /** Every installed engine's name with its availability (the reason when it cannot run). */
    public static Map<String, Availability> all() {
        Map<String, Availability> m = new LinkedHashMap<>();
        for (BackendProvider p : Backends.providers()) m.put(p.name(), p.availability());
        return m;
    }

    /** Names of the engines that can run here, highest priority first. */
    public static List<String> available() {
        List<String> names = new ArrayList<>();
        all().forEach((name, a) -> { if (a.available()) names.add(name); });
        return names;
    }

    /**
     * Opens {@code name} with default options (the cpu engine on its whole OpenMP pool). An engine that cannot run
     * here is an {@link IllegalStateException} starting with "skipped:" and giving the engine's own reason, which
     * is what a JMH run prints for that benchmark.
     */
    public static Backend open(String name) {
        Availability a = Backends.provider(name).availability();
        if (!a.available()) throw new IllegalStateException("skipped: engine '" + name + "' is unavailable here: " + a.reason());
        return Backends.provider(name).open(BackendOptions.defaults());
    }
}
