package dev.convkit.io;

import com.google.gson.FormattingStyle;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.Map;

/**
 * {@link Json#write} and {@link Json#writePretty} on Gson's streaming {@link JsonWriter}. Pretty output keeps arrays of
 * plain numbers, booleans and nulls on one line ({@code "shape": [3, 4]}): the writer switches to an inline style for
 * the elements of such an array and back after it.
 */
final class JsonWriting {
    private static final FormattingStyle PRETTY = FormattingStyle.PRETTY.withNewline("\n").withIndent("  ");
    /** Inside a one-line array of a pretty document: no newlines, ", " between elements. */
    private static final FormattingStyle INLINE = FormattingStyle.COMPACT.withSpaceAfterSeparators(true);

    private final JsonWriter out;
    private final boolean pretty;

    private JsonWriting(JsonWriter out, boolean pretty) {
        this.out = out;
        this.pretty = pretty;
    }

    static String write(Object value, boolean pretty) {
        StringWriter text = new StringWriter();
        JsonWriter w = new JsonWriter(text);
        w.setFormattingStyle(pretty ? PRETTY : FormattingStyle.COMPACT);
        w.setHtmlSafe(false);
        w.setSerializeNulls(true);
        try {
            new JsonWriting(w, pretty).value(value, 0);
            w.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON into a string", e); // a StringWriter does not fail
        }
        return text.toString();
    }

    private void value(Object v, int depth) throws IOException {
        if (depth > Json.MAX_DEPTH) throw new JsonException("value nested deeper than " + Json.MAX_DEPTH + " levels (a cycle?)");
        if (v == null) out.nullValue();
        else if (v instanceof String s) out.value(s);
        else if (v instanceof Boolean b) out.value(b.booleanValue());
        else if (v instanceof Float f) floating(f);
        else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) out.value(((Number) v).longValue());
        else if (v instanceof Number n) floating(n.doubleValue());
        else if (v instanceof Map<?, ?> m) object(m, depth);
        else if (v instanceof Collection<?> c) array(c, depth);
        else if (v instanceof int[] a) { beginFlat(); for (int x : a) out.value(x); endFlat(); }
        else if (v instanceof long[] a) { beginFlat(); for (long x : a) out.value(x); endFlat(); }
        else if (v instanceof double[] a) { beginFlat(); for (double x : a) floating(x); endFlat(); }
        else if (v instanceof float[] a) { beginFlat(); for (float x : a) floating(x); endFlat(); }
        else throw new JsonException("cannot write a " + v.getClass().getName() + " as JSON; use Map, List, String, Number, Boolean or null");
    }

    /** Non-finite values become null (JSON has no literal for them); a float is written by Float.toString, so 0.1f is "0.1". */
    private void floating(float f) throws IOException {
        if (Float.isNaN(f) || Float.isInfinite(f)) out.nullValue();
        else out.value(f);
    }

    private void floating(double d) throws IOException {
        if (Double.isNaN(d) || Double.isInfinite(d)) out.nullValue();
        else out.value(d); // Double.toString: 1.0, 1.0E-5; reads back to the same double
    }

    private void object(Map<?, ?> m, int depth) throws IOException {
        out.beginObject();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new JsonException("JSON object keys must be strings, found " + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
            }
            out.name(key);
            value(e.getValue(), depth + 1);
        }
        out.endObject();
    }

    private void array(Collection<?> c, int depth) throws IOException {
        boolean flat = !c.isEmpty() && c.stream().allMatch(x -> x == null || x instanceof Number || x instanceof Boolean);
        if (flat) beginFlat(); else out.beginArray();
        for (Object x : c) value(x, depth + 1);
        if (flat) endFlat(); else out.endArray();
    }

    /** Opens an array whose elements stay on the array's line; the '[' itself is placed by the enclosing style. */
    private void beginFlat() throws IOException {
        out.beginArray();
        if (pretty) out.setFormattingStyle(INLINE);
    }

    private void endFlat() throws IOException {
        out.endArray();
        if (pretty) out.setFormattingStyle(PRETTY);
    }
}
