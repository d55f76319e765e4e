package dev.convkit.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recursive-descent parser for strict RFC 8259 JSON; see {@link Json} for the value mapping. Every error names the
 * line and column (1-based) and what was expected there. Nesting is limited to {@link #MAX_DEPTH} levels so a
 * hostile file cannot overflow the stack.
 */
final class JsonParser {
    static final int MAX_DEPTH = 512;

    private final String text;
    private int pos;

    JsonParser(String text) { this.text = text; }

    Object parseDocument() {
        skipWhitespace();
        Object v = parseValue(0);
        skipWhitespace();
        if (pos < text.length()) throw error("unexpected " + describe(pos) + " after the end of the JSON value");
        return v;
    }

    private Object parseValue(int depth) {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels");
        if (pos >= text.length()) throw error("unexpected end of input, expected a value");
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> parseObject(depth);
            case '[' -> parseArray(depth);
            case '"' -> parseString();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield parseNumber();
                throw error("unexpected " + describe(pos) + ", expected a value (object, array, string, number, true, false or null)");
            }
        };
    }

    private Map<String, Object> parseObject(int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++; // '{'
        skipWhitespace();
        if (peek() == '}') { pos++; return map; }
        while (true) {
            skipWhitespace();
            if (peek() != '"') throw error("unexpected " + describe(pos) + ", expected a member name in double quotes");
            int keyPos = pos;
            String key = parseString();
            if (map.containsKey(key)) { pos = keyPos; throw error("duplicate member name \"" + key + "\""); }
            skipWhitespace();
            expect(':', "after member name \"" + key + "\"");
            skipWhitespace();
            map.put(key, parseValue(depth + 1));
            skipWhitespace();
            char c = peek();
            if (c == ',') { pos++; continue; }
            if (c == '}') { pos++; return map; }
            throw error("unexpected " + describe(pos) + ", expected ',' or '}' after the value of member \"" + key + "\"");
        }
    }

    private List<Object> parseArray(int depth) {
        List<Object> list = new ArrayList<>();
        pos++; // '['
        skipWhitespace();
        if (peek() == ']') { pos++; return list; }
        while (true) {
            skipWhitespace();
            list.add(parseValue(depth + 1));
            skipWhitespace();
            char c = peek();
            if (c == ',') { pos++; continue; }
            if (c == ']') { pos++; return list; }
            throw error("unexpected " + describe(pos) + ", expected ',' or ']' after array element " + (list.size() - 1));
        }
    }

    private String parseString() {
        int start = pos;
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) { pos = start; throw error("string starting here is not terminated"); }
            char c = text.charAt(pos++);
            if (c == '"') return sb.toString();
            if (c < 0x20) { pos--; throw error("raw control character U+" + String.format("%04X", (int) c) + " in a string; it must be escaped"); }
            if (c != '\\') { sb.append(c); continue; }
            if (pos >= text.length()) { pos = start; throw error("string starting here is not terminated"); }
            char e = text.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> sb.append(parseHex4());
                default -> { pos -= 2; throw error("invalid escape \\" + e + " in a string"); }
            }
        }
    }

    private char parseHex4() {
        if (pos + 4 > text.length()) { pos -= 2; throw error("\\u escape needs four hex digits"); }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            if (d < 0) {
                String found = text.substring(pos, pos + 4);
                pos -= 2;
                throw error("\\u escape needs four hex digits, found \"" + found + "\"");
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private Object parseNumber() {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') pos++;
        else if (isDigit(peek())) { while (isDigit(peek())) pos++; }
        else throw error("invalid number: expected a digit after '-'");
        boolean integral = true;
        if (peek() == '.') {
            integral = false;
            pos++;
            if (!isDigit(peek())) throw error("invalid number: expected a digit after the decimal point");
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            integral = false;
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) throw error("invalid number: expected a digit in the exponent");
            while (isDigit(peek())) pos++;
        }
        String s = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException tooBig) {
                return Double.parseDouble(s);
            }
        }
        return Double.parseDouble(s);
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) throw error("unexpected " + describe(pos) + ", expected a value (did you mean " + word + "?)");
        pos += word.length();
        return value;
    }

    private void expect(char c, String where) {
        if (peek() != c) throw error("unexpected " + describe(pos) + ", expected '" + c + "' " + where);
        pos++;
    }

    private char peek() { return pos < text.length() ? text.charAt(pos) : '\0'; }

    private static boolean isDigit(char c) { return c >= '0' && c <= '9'; }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') pos++;
            else break;
        }
    }

    private String describe(int at) {
        if (at >= text.length()) return "end of input";
        char c = text.charAt(at);
        return c < 0x20 || c > 0x7e ? "character U+" + String.format("%04X", (int) c) : "'" + c + "'";
    }

    private JsonException error(String what) {
        int line = 1, col = 1;
        for (int i = 0; i < pos && i < text.length(); i++) {
            if (text.charAt(i) == '\n') { line++; col = 1; } else col++;
        }
        return new JsonException("JSON error at line " + line + ", column " + col + ": " + what);
    }
}
