package dev.convkit.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Finds engines through {@link ServiceLoader} and chooses one. */
public final class Backends {
    private Backends() {}

    /** Every installed provider, highest priority first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(list::add);
        list.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
        return list;
    }

    /** The provider named {@code name}; the message lists the valid names otherwise. */
    public static BackendProvider provider(String name) {
        List<BackendProvider> all = providers();
        for (BackendProvider p : all) if (p.name().equals(name)) return p;
        throw new IllegalArgumentException("unknown engine '" + name + "'; valid engines: auto, "
                + all.stream().map(BackendProvider::name).collect(Collectors.joining(", ")));
    }

    /** The result of choosing an engine (and what its probe found), with why every other one was not chosen. */
    public record Choice(BackendProvider provider, Availability availability, List<String> notChosen) {
        public String explain() {
            StringBuilder sb = new StringBuilder("engine: " + provider.name() + " (" + availability.reason() + ")");
            for (String s : notChosen) sb.append("\n  not chosen: ").append(s);
            return sb.toString();
        }
    }

    /** {@link #choose(String, BackendOptions)} with the default options. */
    public static Choice choose(String name) { return choose(name, BackendOptions.defaults()); }

    /**
     * "auto" picks the provider of highest priority that is available with {@code options} (e.g. on the GPU they
     * name); a name picks that provider and fails, with its reason, when it is unavailable.
     */
    public static Choice choose(String name, BackendOptions options) {
        List<String> skipped = new ArrayList<>();
        if (!"auto".equals(name)) {
            BackendProvider p = provider(name);
            Availability a = p.availability(options);
            if (!a.available()) throw new IllegalStateException("engine '" + name + "' is unavailable: " + a.reason());
            for (BackendProvider o : providers()) if (o != p && !o.name().equals(name)) skipped.add(o.name() + ": not requested");
            return new Choice(p, a, skipped);
        }
        BackendProvider chosen = null;
        Availability chosenAvailability = null;
        for (BackendProvider p : providers()) {
            Availability a = p.availability(options);
            if (chosen == null && a.available()) {
                chosen = p;
                chosenAvailability = a;
            } else if (!a.available()) {
                skipped.add(a.reason().startsWith(p.name() + ":") ? a.reason() : p.name() + ": " + a.reason());
            } else {
                skipped.add(p.name() + ": lower priority than " + chosen.name());
            }
        }
        if (chosen == null) throw new IllegalStateException("no engine is available: " + skipped);
        return new Choice(chosen, chosenAvailability, skipped);
    }

    /** Opens the engine chosen by {@link #choose(String, BackendOptions)}. */
    public static Backend open(String name, BackendOptions options) {
        return choose(name, options).provider().open(options);
    }
}
