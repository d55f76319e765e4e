package dev.convkit.io;

import java.util.List;
import java.util.Map;

/**
 * JSON for checkpoint sidecars, recipes and the safetensors header, on Gson's streaming reader and writer
 * ({@link JsonReading}, {@link JsonWriting}); no reflection binding, only the plain values below.
 *
 * <p>Value mapping, both directions:
 * <ul>
 *   <li>object ↔ {@code Map<String, Object>} (parsed as a {@link java.util.LinkedHashMap}: member order is kept;
 *       a duplicate member name is an error);</li>
 *   <li>array ↔ {@code List<Object>} (the writer also takes any {@link java.util.Collection}, {@code int[]}, {@code long[]},
 *       {@code float[]} and {@code double[]});</li>
 *   <li>string ↔ {@code String}, with the escapes of RFC 8259 ({@code \"} {@code \\} {@code \/} {@code \b} {@code \f}
 *       {@code \n} {@code \r} {@code \t} {@code \}{@code uXXXX}); the writer escapes only what it must (and U+2028,
 *       U+2029) and writes other characters as they are (UTF-8 once encoded);</li>
 *   <li>number: parsed as {@code Long} when it has no fraction or exponent and fits, otherwise {@code Double};
 *       written from any {@link Number} ({@code Float} via {@link Float#toString} so it stays short and reads back
 *       to the same float);</li>
 *   <li>{@code true}/{@code false} ↔ {@code Boolean}, {@code null} ↔ {@code null}.</li>
 * </ul>
 *
 * <p><b>NaN and infinities.</b> JSON has no literal for them. The writer writes a non-finite {@code Double} or
 * {@code Float} as {@code null} (so a diverged loss in a training history never makes a checkpoint save fail), and the
 * parser gives {@code null} back; {@link #toDouble(Object)} reads that {@code null} as NaN. The parser accepts only
 * standard JSON: no {@code NaN} literal, comments or trailing commas; a byte order mark before the document is
 * skipped.
 *
 * <p>Nesting is limited to {@link #MAX_DEPTH} levels both ways, so a hostile file cannot exhaust the stack and a
 * cyclic structure fails with a message.
 */
public final class Json {
    static final int MAX_DEPTH = 512;

    private Json() {}

    /** Compact form, no whitespace at all: {@code {"a":[1,2],"b":"x"}}. */
    public static String write(Object value) {
        return JsonWriting.write(value, false);
    }

    /** Indented with two spaces per level, one member or element per line, for files people read. */
    public static String writePretty(Object value) {
        return JsonWriting.write(value, true) + "\n";
    }

    /** Parses one JSON value; anything but whitespace after it is an error. Errors give line and column. */
    public static Object parse(String text) { return JsonReading.parse(text); }

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
}
