package dev.convkit.bench.shapes;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one-line problem notation of oneDNN's benchdnn, as far as ConvKit's ops need it: an optional
 * {@code --alg=NAME} option, then {@code <key><integer>} pairs ({@code mb32ic16ih32oc16oh32kh3sh1ph1}, with
 * {@code _} allowed between pairs), then an optional name {@code n"text"}. Keys are lower-case letters; each
 * driver ({@link ConvShape}, {@link BnormShape}, {@link PoolShape}, {@link IpShape}) says which keys it accepts.
 * Blank lines and lines starting with {@code #} carry no problem ({@link #isProblem}).
 */
final class Notation {
    final String line;
    final String alg;                                   // null when no --alg= option
    final String name;                                  // "" when no n"..."
    private final Map<String, Integer> values;

    private Notation(String line, String alg, String name, Map<String, Integer> values) {
        this.line = line;
        this.alg = alg;
        this.name = name;
        this.values = values;
    }

    /** Whether a line of a shape file describes a problem (not blank, not a comment). */
    static boolean isProblem(String line) {
        String t = line.strip();
        return !t.isEmpty() && !t.startsWith("#");
    }

    /** Parses one problem line; every key must be in {@code allowed}; {@code driver} names the notation in messages. */
    static Notation parse(String driver, String line, Set<String> allowed) {
        String s = line.strip();
        String alg = null;
        if (s.startsWith("--alg=")) {
            int end = s.indexOf(' ');
            if (end < 0) throw error(driver, line, "--alg=NAME must be followed by a space and the problem");
            alg = s.substring("--alg=".length(), end);
            s = s.substring(end + 1).strip();
        }
        String name = "";
        int n = s.indexOf("n\"");
        if (n >= 0) {
            if (!s.endsWith("\"") || s.length() < n + 3) throw error(driver, line, "the name must be the last field, n\"text\"");
            name = s.substring(n + 2, s.length() - 1);
            if (name.indexOf('"') >= 0 || name.indexOf(',') >= 0) {
                throw error(driver, line, "the name may not contain a double quote or a comma (JMH splits parameters on commas)");
            }
            s = s.substring(0, n);
        }
        Map<String, Integer> values = new LinkedHashMap<>();
        int i = 0;
        while (i < s.length()) {
            if (s.charAt(i) == '_') { i++; continue; }
            int k = i;
            while (i < s.length() && s.charAt(i) >= 'a' && s.charAt(i) <= 'z') i++;
            int d = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
            String key = s.substring(k, d);
            if (key.isEmpty() || d == i) {
                throw error(driver, line, "expected <key><integer> at column " + (k + 1) + " of '" + s + "'");
            }
            if (!allowed.contains(key)) throw error(driver, line, "unknown key '" + key + "'; " + driver + " takes " + allowed);
            if (values.put(key, parseInt(driver, line, key, s.substring(d, i))) != null) {
                throw error(driver, line, "key '" + key + "' is given twice");
            }
        }
        if (values.isEmpty()) throw error(driver, line, "no <key><integer> fields");
        return new Notation(line, alg, name, values);
    }

    private static int parseInt(String driver, String line, String key, String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw error(driver, line, "value of '" + key + "' is out of range: " + digits);
        }
    }

    boolean has(String key) { return values.containsKey(key); }

    /** The value of a key that must be present and at least {@code min}. */
    int required(String key, int min) {
        Integer v = values.get(key);
        if (v == null) throw error("missing '" + key + "'");
        return atLeast(key, v, min);
    }

    /** The value of {@code key}, or {@code fallback} when absent; at least {@code min} either way. */
    int optional(String key, int fallback, int min) {
        Integer v = values.get(key);
        return atLeast(key, v == null ? fallback : v, min);
    }

    private int atLeast(String key, int v, int min) {
        if (v < min) throw error("'" + key + "' must be >= " + min + ", got " + v);
        return v;
    }

    IllegalArgumentException error(String what) { return new IllegalArgumentException("shape '" + line + "': " + what); }

    private static IllegalArgumentException error(String driver, String line, String what) {
        return new IllegalArgumentException(driver + " shape '" + line + "': " + what);
    }

    /** Appends {@code n"name"} when the name is not empty. */
    static String withName(StringBuilder sb, String name) {
        if (!name.isEmpty()) sb.append("n\"").append(name).append('"');
        return sb.toString();
    }
}
