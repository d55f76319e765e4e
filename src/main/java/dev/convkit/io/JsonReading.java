package dev.convkit.io;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Json#parse} on Gson's streaming {@link JsonReader} in strict mode (RFC 8259: no comments, single quotes,
 * unquoted names, NaN or trailing commas), building the value mapping {@link Json} documents. Gson decides what is
 * valid; when it refuses a text, this class finds the offending token from the reader's character offset before the
 * failing call and states, in ConvKit's words, the line and column (1-based) and what was expected there.
 */
final class JsonReading {
    private static final String A_VALUE = "a value (object, array, string, number, true, false or null)";

    private final String text;
    private final JsonReader in;

    private JsonReading(String text) {
        this.text = text;
        this.in = new JsonReader(new StringReader(text));
        in.setStrictness(Strictness.STRICT);
        in.setNestingLimit(Json.MAX_DEPTH + 1); // our own depth check below comes first and names the position
    }

    static Object parse(String text) {
        JsonReading r = new JsonReading(text);
        Object v = r.value(0, 0, (char) 0, "");
        int end = r.skipWhitespace(r.offset());
        if (end < text.length()) throw r.error(end, "unexpected " + r.describe(end) + " after the end of the JSON value");
        return v;
    }

    /**
     * Reads one value. Its token starts after {@code mark} (the reader's offset before the last call that may have
     * peeked it), whitespace, and {@code separator} when that is not 0; {@code whereSeparator} ends the message when
     * the separator is missing ("after member name \"a\"").
     */
    private Object value(int depth, int mark, char separator, String whereSeparator) {
        if (depth > Json.MAX_DEPTH) throw error(tokenStart(mark, separator, whereSeparator), "nesting deeper than " + Json.MAX_DEPTH + " levels");
        JsonToken token;
        try {
            token = in.peek();
        } catch (IOException e) {
            throw valueError(tokenStart(mark, separator, whereSeparator), e);
        }
        try {
            return switch (token) {
                case BEGIN_OBJECT -> object(depth);
                case BEGIN_ARRAY -> array(depth);
                case STRING -> string(tokenStart(mark, separator, whereSeparator));
                case NUMBER -> number(in.nextString());
                case BOOLEAN -> in.nextBoolean();
                case NULL -> { in.nextNull(); yield null; }
                default -> throw valueError(tokenStart(mark, separator, whereSeparator), null);
            };
        } catch (IOException e) {
            throw error(offset(), gsonReason(e)); // not expected: after a successful peek only a string's content can fail
        }
    }

    /** The string value whose opening quote is at {@code start} (the position is only needed for errors). */
    private String string(int start) {
        try {
            return in.nextString();
        } catch (IOException e) {
            throw stringError(start, e);
        }
    }

    private Map<String, Object> object(int depth) throws IOException {
        Map<String, Object> map = new LinkedHashMap<>();
        in.beginObject();
        String last = null;
        while (true) {
            int mark = offset();
            char separator = last == null ? 0 : ',';
            String where = last == null ? "" : "or '}' after the value of member \"" + last + "\"";
            boolean more;
            try {
                more = in.hasNext();
            } catch (IOException e) {
                int at = tokenStart(mark, separator, where);
                throw error(at, "unexpected " + describe(at) + ", expected a member name in double quotes");
            }
            if (!more) break;
            String key;
            try {
                key = in.nextName();
            } catch (IOException e) {
                throw stringError(tokenStart(mark, separator, where), e);
            }
            if (map.containsKey(key)) throw error(tokenStart(mark, separator, where), "duplicate member name \"" + key + "\"");
            map.put(key, value(depth + 1, offset(), ':', "after member name \"" + key + "\""));
            last = key;
        }
        in.endObject();
        return map;
    }

    private List<Object> array(int depth) throws IOException {
        List<Object> list = new ArrayList<>();
        in.beginArray();
        while (true) {
            int mark = offset();
            char separator = list.isEmpty() ? 0 : ',';
            String where = list.isEmpty() ? "" : "or ']' after array element " + (list.size() - 1);
            boolean more;
            try {
                more = in.hasNext();
            } catch (IOException e) {
                throw valueError(tokenStart(mark, separator, where), e);
            }
            if (!more) break;
            list.add(value(depth + 1, mark, separator, where));
        }
        in.endArray();
        return list;
    }

    /** A JSON number: Long when it has no fraction or exponent and fits, otherwise Double. */
    private static Object number(String literal) {
        boolean integral = literal.indexOf('.') < 0 && literal.indexOf('e') < 0 && literal.indexOf('E') < 0;
        if (integral) {
            try {
                return Long.parseLong(literal);
            } catch (NumberFormatException tooBig) {
                return Double.parseDouble(literal);
            }
        }
        return Double.parseDouble(literal);
    }

    // ---- where and why a refused text went wrong ------------------------------------------------------------

    private int offset() { return (int) in.getCharacterOffset(); }

    /** Skips whitespace from mark, then the separator if given; a missing separator is the error. */
    private int tokenStart(int mark, char separator, String whereSeparator) {
        int at = skipWhitespace(mark);
        if (separator == 0) return at;
        if (at < text.length() && text.charAt(at) == separator) return skipWhitespace(at + 1);
        throw error(at, "unexpected " + describe(at) + ", expected '" + separator + "' " + whereSeparator);
    }

    /** Gson refused the token at {@code at} where a value was expected. */
    private JsonException valueError(int at, IOException cause) {
        if (at >= text.length()) return error(at, "unexpected end of input, expected " + A_VALUE);
        char c = text.charAt(at);
        if (c == '"') return stringError(at, cause);
        if (c == '-' || isDigit(c)) return numberError(at);
        for (String literal : List.of("true", "false", "null")) {
            if (c == literal.charAt(0)) return error(at, "unexpected \"" + word(at) + "\", expected a value (did you mean " + literal + "?)");
        }
        return error(at, "unexpected " + describe(at) + ", expected " + A_VALUE);
    }

    /** Gson refused the number starting at {@code at}: finds where it leaves RFC 8259's number grammar. */
    private JsonException numberError(int at) {
        int i = at;
        if (charAt(i) == '-') i++;
        if (!isDigit(charAt(i))) return error(i, "invalid number: expected a digit after '-'");
        if (charAt(i) == '0' && isDigit(charAt(i + 1))) return error(i, "invalid number \"" + word(at) + "\": no leading zeros in JSON");
        while (isDigit(charAt(i))) i++;
        if (charAt(i) == '.') {
            if (!isDigit(charAt(++i))) return error(i, "invalid number: expected a digit after the decimal point");
            while (isDigit(charAt(i))) i++;
        }
        if (charAt(i) == 'e' || charAt(i) == 'E') {
            i++;
            if (charAt(i) == '+' || charAt(i) == '-') i++;
            if (!isDigit(charAt(i))) return error(i, "invalid number: expected a digit in the exponent");
            while (isDigit(charAt(i))) i++;
        }
        return error(i, "unexpected " + describe(i) + " after the number \"" + text.substring(at, i) + "\"");
    }

    private char charAt(int i) { return i < text.length() ? text.charAt(i) : '\0'; }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

    /** Gson refused the string whose opening quote is at {@code start}: finds the first character that breaks it. */
    private JsonException stringError(int start, IOException cause) {
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"') break;
            if (c < 0x20) return error(i, "raw control character U+" + String.format("%04X", (int) c) + " in a string; it must be escaped");
            if (c != '\\') { i++; continue; }
            if (i + 1 >= text.length()) break;
            char e = text.charAt(i + 1);
            if ("\"\\/bfnrt".indexOf(e) >= 0) { i += 2; continue; }
            if (e != 'u') return error(i, "invalid escape \\" + e + " in a string");
            String hex = text.substring(i + 2, Math.min(i + 6, text.length()));
            if (hex.length() < 4 || !hex.chars().allMatch(h -> Character.digit(h, 16) >= 0)) {
                return error(i, "\\u escape needs four hex digits, found \"" + hex + "\"");
            }
            i += 6;
        }
        if (i >= text.length()) return error(start, "string starting here is not terminated");
        return error(offset(), gsonReason(cause)); // not expected: Gson refused a string we find well-formed
    }

    /** Gson's own message without its location and link, for a refusal the checks above do not explain. */
    private static String gsonReason(IOException cause) {
        if (cause == null || cause.getMessage() == null) return "not valid JSON";
        String m = cause.getMessage();
        int cut = m.indexOf(" at line ");
        return cut > 0 ? m.substring(0, cut) : m;
    }

    /** The token starting at {@code at}: up to whitespace or punctuation, at most 20 characters. */
    private String word(int at) {
        int end = at;
        while (end < text.length() && end - at < 20 && " \t\r\n,:[]{}\"".indexOf(text.charAt(end)) < 0) end++;
        return text.substring(at, end);
    }

    private int skipWhitespace(int from) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') i++;
            else break;
        }
        return i;
    }

    private String describe(int at) {
        if (at >= text.length()) return "end of input";
        char c = text.charAt(at);
        return c < 0x20 || c > 0x7e ? "character U+" + String.format("%04X", (int) c) : "'" + c + "'";
    }

    private JsonException error(int at, String what) {
        int line = 1, col = 1;
        for (int i = 0; i < at && i < text.length(); i++) {
            if (text.charAt(i) == '\n') { line++; col = 1; } else col++;
        }
        return new JsonException("JSON error at line " + line + ", column " + col + ": " + what);
    }
}
