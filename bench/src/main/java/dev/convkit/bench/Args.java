package dev.convkit.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The few {@code --name value} options of the bench's small programs (StepRunner, SideBySide, ...). Arguments after
 * a lone {@code --} are kept as they are ({@link #rest()}). An unknown, repeated or valueless option is an
 * {@link IllegalArgumentException} that quotes the program's usage line.
 */
public final class Args {
    private final String usage;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, Boolean> used = new LinkedHashMap<>();
    private final List<String> rest = new ArrayList<>();

    public Args(String[] argv, String usage) {
        this.usage = usage;
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--")) {
                for (int j = i + 1; j < argv.length; j++) rest.add(argv[j]);
                break;
            }
            if (!a.startsWith("--") || a.length() == 2) throw fail("unexpected argument '" + a + "'");
            String name = a.substring(2), value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= argv.length) throw fail("option --" + name + " needs a value");
                value = argv[++i];
            }
            if (values.put(name, value) != null) throw fail("option --" + name + " is given twice");
            used.put(name, false);
        }
    }

    public String get(String name, String fallback) {
        used.put(name, true);
        return values.getOrDefault(name, fallback);
    }

    public String required(String name) {
        String v = get(name, null);
        if (v == null) throw fail("option --" + name + " is required");
        return v;
    }

    public int getInt(String name, int fallback) {
        String v = get(name, null);
        if (v == null) return fallback;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw fail("option --" + name + " must be an integer, got '" + v + "'");
        }
    }

    public double getDouble(String name, double fallback) {
        String v = get(name, null);
        if (v == null) return fallback;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw fail("option --" + name + " must be a number, got '" + v + "'");
        }
    }

    /** A comma-separated list option; empty entries are dropped. */
    public List<String> getList(String name, List<String> fallback) {
        String v = get(name, null);
        if (v == null) return fallback;
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) if (!s.isBlank()) out.add(s.strip());
        return out;
    }

    /** Arguments after {@code --}. */
    public List<String> rest() { return rest; }

    /** Fails on any option that no getter asked for (a misspelt option must not be ignored). */
    public void requireAllUsed() {
        for (Map.Entry<String, Boolean> e : used.entrySet()) {
            if (!e.getValue()) throw fail("unknown option --" + e.getKey());
        }
    }

    private IllegalArgumentException fail(String what) {
        return new IllegalArgumentException(what + "\nusage: " + usage);
    }
}
