package dev.convkit.io;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * A small JSON writer and parser for checkpoint sidecars, recipes and the safetensors header. No external library.
 *
 * <p>Value mapping, both directions:
 * <ul>
 *   <li>object ↔ {@code Map<String, Object>} (parsed as a {@link java.util.LinkedHashMap}: member order is kept;
 *       a duplicate member name is an error);</li>
 *   <li>array ↔ {@code List<Object>} (the writer also takes any {@link Collection}, {@code int[]}, {@code long[]},
 *       {@code float[]} and {@code double[]});</li>
 *   <li>string ↔ {@code String}, with the escapes of RFC 8259 ({@code \"} {@code \\} {@code \/} {@code \b} {@code \f}
 *       {@code \n} {@code \r} {@code \t} {@code \}{@code uXXXX}); the writer escapes only what it must and writes
 *       other characters as they are (UTF-8 once encoded);</li>
 *   <li>number: parsed as {@code Long} when it has no fraction or exponent and fits, otherwise {@code Double};
 *       written from any {@link Number} ({@code Float} via {@link Float#toString} so it stays short and reads back
 *       to the same float);</li>
 *   <li>{@code true}/{@code false} ↔ {@code Boolean}, {@code null} ↔ {@code null}.</li>
 * </ul>
 *
 * <p><b>NaN and infinities.</b> JSON has no literal for them. The writer writes a non-finite {@code Double} or
 * {@code Float} as {@code null} (so a diverged loss in a training history never makes a checkpoint save fail), and the
 * parser gives {@code null} back; {@link #toDouble(Object)} reads that {@code null} as NaN. The parser accepts only
 * standard JSON: no {@code NaN} literal, comments or trailing commas.
 */
public final class Json {
    private Json() {}

    /** Compact form, no whitespace at all: {@code {"a":[1,2],"b":"x"}}. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        append(sb, value, -1, 0);
        return sb.toString();
    }

    /** Indented with two spaces per level, one member or element per line, for files people read. */
    public static String writePretty(Object value) {
        StringBuilder sb = new StringBuilder();
        append(sb, value, 2, 0);
        return sb.append('\n').toString();
    }

    /** Parses one JSON value; anything but whitespace after it is an error. Errors give line and column. */
    public static Object parse(String text) { return new JsonParser(text).parseDocument(); }

    /** Parses a document whose top level must be an object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) throw new JsonException("expected a JSON object at the top level, found " + kind(v));
        return (Map<String, Object>) v;
    }

    /** A parsed number, or {@code null} (a non-finite number written by {@link #write}), as a double. */
    public static double toDouble(Object v) {
        if (v == null) return Double.NaN;
        if (v instanceof Number n) return n.doubleValue();
        throw new JsonException("expected a number, found " + kind(v));
    }

    /** A parsed integer; a double with a fraction, or one out of the long range, is an error. */
    public static long toLong(Object v) {
        if (v instanceof Long l) return l;
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) return d.longValue();
        throw new JsonException("expected an integer, found " + kind(v) + (v == null ? "" : " " + v));
    }

    /** "object", "array", "string", "number", "boolean" or "null": for error messages. */
    public static String kind(Object v) {
        if (v == null) return "null";
        if (v instanceof Map) return "object";
        if (v instanceof List) return "array";
        if (v instanceof String) return "string";
        if (v instanceof Number) return "number";
        if (v instanceof Boolean) return "boolean";
        return v.getClass().getSimpleName();
    }

    // ---- writer ----------------------------------------------------------------------------------------------

    /** indent < 0: compact. */
    private static void append(StringBuilder sb, Object v, int indent, int depth) {
        if (depth > JsonParser.MAX_DEPTH) throw new JsonException("value nested deeper than " + JsonParser.MAX_DEPTH + " levels (a cycle?)");
        if (v == null) sb.append("null");
        else if (v instanceof String s) appendString(sb, s);
        else if (v instanceof Boolean b) sb.append(b.booleanValue());
        else if (v instanceof Double || v instanceof Float) appendFloating(sb, (Number) v);
        else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) sb.append(((Number) v).longValue());
        else if (v instanceof Number n) appendFloating(sb, n.doubleValue());
        else if (v instanceof Map<?, ?> m) appendObject(sb, m, indent, depth);
        else if (v instanceof Collection<?> c) appendArray(sb, c, indent, depth);
        else if (v instanceof int[] a) appendArray(sb, java.util.Arrays.stream(a).boxed().toList(), indent, depth);
        else if (v instanceof long[] a) appendArray(sb, java.util.Arrays.stream(a).boxed().toList(), indent, depth);
        else if (v instanceof double[] a) appendArray(sb, java.util.Arrays.stream(a).boxed().toList(), indent, depth);
        else if (v instanceof float[] a) {
            Float[] boxed = new Float[a.length];
            for (int i = 0; i < a.length; i++) boxed[i] = a[i];
            appendArray(sb, List.of(boxed), indent, depth);
        } else throw new JsonException("cannot write a " + v.getClass().getName() + " as JSON; use Map, List, String, Number, Boolean or null");
    }

    private static void appendFloating(StringBuilder sb, Number n) {
        if (n instanceof Float f) {
            if (f.isNaN() || f.isInfinite()) sb.append("null");
            else sb.append(Float.toString(f));
        } else {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) sb.append("null");
            else sb.append(Double.toString(d)); // e.g. 1.0, 1.0E-5: valid JSON, reads back to the same double
        }
    }

    private static void appendObject(StringBuilder sb, Map<?, ?> m, int indent, int depth) {
        if (m.isEmpty()) { sb.append("{}"); return; }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new JsonException("JSON object keys must be strings, found " + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
            }
            if (!first) sb.append(',');
            first = false;
            newline(sb, indent, depth + 1);
            appendString(sb, key);
            sb.append(indent < 0 ? ":" : ": ");
            append(sb, e.getValue(), indent, depth + 1);
        }
        newline(sb, indent, depth);
        sb.append('}');
    }

    private static void appendArray(StringBuilder sb, Collection<?> c, int indent, int depth) {
        if (c.isEmpty()) { sb.append("[]"); return; }
        // Arrays of plain numbers stay on one line even in pretty form: shapes and histories are easier to read.
        boolean flat = indent < 0 || c.stream().allMatch(x -> x == null || x instanceof Number || x instanceof Boolean);
        sb.append('[');
        boolean first = true;
        for (Object x : c) {
            if (!first) sb.append(flat && indent >= 0 ? ", " : ",");
            first = false;
            if (!flat) newline(sb, indent, depth + 1);
            append(sb, x, indent, depth + 1);
        }
        if (!flat) newline(sb, indent, depth);
        sb.append(']');
    }

    private static void newline(StringBuilder sb, int indent, int depth) {
        if (indent < 0) return;
        sb.append('\n');
        sb.append(" ".repeat(indent * depth));
    }

    static void appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
