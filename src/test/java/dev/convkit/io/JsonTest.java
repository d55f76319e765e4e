package dev.convkit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void compactOutputKeepsInsertionOrderAndHasNoWhitespace() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1);
        m.put("a", List.of(1L, 2.5, "x", true));
        m.put("n", null);
        m.put("o", Map.of());
        assertEquals("{\"z\":1,\"a\":[1,2.5,\"x\",true],\"n\":null,\"o\":{}}", Json.write(m));
    }

    @Test
    void prettyOutputIndentsTwoSpacesAndKeepsNumberArraysOnOneLine() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("shape", new int[] {3, 4});
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "conv1");
        m.put("info", inner);
        m.put("tags", List.of("a", "b"));
        String expected = "{\n  \"name\": \"conv1\",\n  \"info\": {\n    \"shape\": [3, 4]\n  },\n  \"tags\": [\n    \"a\",\n    \"b\"\n  ]\n}\n";
        assertEquals(expected, Json.writePretty(m));
        assertEquals(Json.parse(expected), Json.parse(Json.write(m)));
    }

    @Test
    void stringsWithEscapesRoundTrip() {
        String tricky = "quote\" back\\slash / tab\t nl\n cr\r \b \f ctrl\u0001 unicode é ∑ 😀";
        String json = Json.write(tricky);
        assertEquals("\"quote\\\" back\\\\slash / tab\\t nl\\n cr\\r \\b \\f ctrl\\u0001 unicode é ∑ 😀\"", json);
        assertEquals(tricky, Json.parse(json));
        assertEquals("A/é😀", Json.parse("\"\\u0041\\/\\u00e9\\ud83d\\ude00\""));
    }

    @Test
    void numbersParseAsLongOrDouble() {
        assertEquals(42L, Json.parse("42"));
        assertEquals(-7L, Json.parse("-7"));
        assertEquals(0.5, Json.parse("0.5"));
        assertEquals(1.0e-5, Json.parse("1e-5"));
        assertEquals(-2.5e10, Json.parse("-2.5E+10"));
        assertEquals(1.2345678901234568e19, Json.parse("12345678901234567890")); // beyond long: double
        assertEquals(9223372036854775807L, Json.parse("9223372036854775807"));
        assertEquals(3L, Json.toLong(3.0));
        assertThrows(JsonException.class, () -> Json.toLong(3.5));
    }

    @Test
    void doublesAndFloatsRoundTripExactly() {
        double[] values = {0.1, 1.0 / 3, 1e-300, 6.02214076e23, -0.0, 123456789.125};
        for (double v : values) assertEquals(v, Json.toDouble(Json.parse(Json.write(v))), 0.0, "double " + v);
        float f = 0.1f;
        String written = Json.write(f);
        assertEquals("0.1", written);
        assertEquals(f, (float) Json.toDouble(Json.parse(written)));
        assertEquals("[1.5,-2.0]", Json.write(new float[] {1.5f, -2f}));
    }

    @Test
    void nonFiniteNumbersAreWrittenAsNullAndReadBackAsNaN() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", Double.NaN);
        m.put("inf", Float.POSITIVE_INFINITY);
        m.put("list", Arrays.asList(1.0, Double.NEGATIVE_INFINITY));
        assertEquals("{\"loss\":null,\"inf\":null,\"list\":[1.0,null]}", Json.write(m));
        Map<String, Object> back = Json.parseObject(Json.write(m));
        assertNull(back.get("loss"));
        assertTrue(Double.isNaN(Json.toDouble(back.get("loss"))));
        assertThrows(JsonException.class, () -> Json.parse("NaN"));
    }

    @Test
    void parsedObjectsKeepMemberOrder() {
        Map<String, Object> m = Json.parseObject(" { \"b\" : 1 , \"a\" : [ ] , \"c\" : { } } ");
        assertEquals(List.of("b", "a", "c"), List.copyOf(m.keySet()));
        assertEquals(List.of(), m.get("a"));
        assertEquals(Map.of(), m.get("c"));
    }

    @Test
    void errorsNameLineColumnAndTheProblem() {
        assertError("{\"a\": 1,}", "line 1, column 9", "expected a member name");
        assertError("[1, 2,]", "line 1, column 7", "expected a value");
        assertError("{\"a\": 1, \"a\": 2}", "line 1, column 10", "duplicate member name \"a\"");
        assertError("{\n  \"a\": tru\n}", "line 2, column 8", "did you mean true?");
        assertError("\"abc", "line 1, column 1", "not terminated");
        assertError("\"a\\qb\"", "line 1, column 3", "invalid escape \\q");
        assertError("{\"a\" 1}", "line 1, column 6", "expected ':' after member name \"a\"");
        assertError("[1] x", "line 1, column 5", "after the end of the JSON value");
        assertError("-", "line 1, column 2", "expected a digit after '-'");
        assertError("1.", "line 1, column 3", "expected a digit after the decimal point");
        assertError("\"\\u12g4\"", "line 1, column 2", "four hex digits");
        assertError("\"a\tb\"", "line 1, column 3", "raw control character U+0009");
        assertError("[".repeat(600), "line 1", "nesting deeper than 512");
        JsonException top = assertThrows(JsonException.class, () -> Json.parseObject("[1]"));
        assertEquals("expected a JSON object at the top level, found array", top.getMessage());
    }

    @Test
    void lenientJsonIsRefusedWhereItStarts() {
        assertError("// note\n{}", "line 1, column 1", "unexpected '/', expected a value");
        assertError("{'a': 1}", "line 1, column 2", "unexpected ''', expected a member name in double quotes");
        assertError("{a: 1}", "line 1, column 2", "unexpected 'a', expected a member name in double quotes");
        assertError("[NaN]", "line 1, column 2", "unexpected 'N', expected a value");
        assertError("[1, Infinity]", "line 1, column 5", "unexpected 'I', expected a value");
        assertError("[007]", "line 1, column 2", "invalid number \"007\": no leading zeros");
        assertError("+1", "line 1, column 1", "unexpected '+', expected a value");
        assertError("1.5e", "line 1, column 5", "expected a digit in the exponent");
        assertError("[1x]", "line 1, column 3", "unexpected 'x' after the number \"1\"");
        assertError("[1 2]", "line 1, column 4", "expected ',' or ']' after array element 0");
        assertError("{\"a\": 1 \"b\": 2}", "line 1, column 9", "expected ',' or '}' after the value of member \"a\"");
        assertError("{\"a\": 1; \"b\": 2}", "line 1, column 8", "unexpected ';' after the number \"1\"");
        assertError("{\"a\" = 1}", "line 1, column 6", "expected ':' after member name \"a\"");
        assertError("", "line 1, column 1", "unexpected end of input, expected a value");
        assertError("{\"a\": [1, 2", "line 1, column 12", "unexpected end of input, expected ',' or ']' after array element 1");
        assertError("{\"k\\u00\": 1}", "line 1, column 4", "\\u escape needs four hex digits, found \"00\":\"");
        assertError("[\"ok\",\n \"a\nb\"]", "line 2, column 4", "raw control character U+000A");
        assertError("[\"ok\",\n \"ab]", "line 2, column 2", "not terminated");
        for (String bad : List.of("[1,]", "{,}", "[,1]", "'x'", "[1] [2]", "{}\uFEFF", "nul", "{\"a\":1,,\"b\":2}")) {
            JsonException e = assertThrows(JsonException.class, () -> Json.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("JSON error at line 1, column "), e.getMessage());
            assertTrue(!e.getMessage().contains("Strictness") && !e.getMessage().contains("http"), "library wording leaked: " + e.getMessage());
        }
        assertEquals(Map.of("a", 1L), Json.parse("\uFEFF{\"a\": 1}")); // a byte order mark before the document is skipped
    }

    @Test
    void nestingUpTo512LevelsIsRead() {
        String deepest = "[".repeat(513) + "]".repeat(513); // the outermost array is level 0
        Object v = Json.parse(deepest);
        for (int i = 0; i < 512; i++) v = ((List<?>) v).get(0);
        assertEquals(List.of(), v);
        assertError("[".repeat(514) + "]".repeat(514), "line 1, column 514", "nesting deeper than 512 levels");
        List<Object> cyclic = new ArrayList<>();
        cyclic.add(cyclic);
        assertTrue(assertThrows(JsonException.class, () -> Json.write(cyclic)).getMessage().contains("(a cycle?)"));
    }

    @Test
    void lineSeparatorsAreEscapedAndReadBack() {
        String s = "a\u2028b\u2029c\u007f";
        assertEquals("\"a\\u2028b\\u2029c\u007f\"", Json.write(s));
        assertEquals(s, Json.parse(Json.write(s)));
    }

    @Test
    void prettyOutputNestsObjectsInArraysAndKeepsPrimitiveArraysInline() {
        Map<String, Object> layer = new LinkedHashMap<>();
        layer.put("shape", new long[] {2, 3});
        layer.put("stats", Arrays.asList(0.5f, null, true));
        layer.put("empty", List.of());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("layers", List.of(layer, Map.of()));
        m.put("d", new double[] {Double.NaN, 1e-5});
        String expected = "{\n  \"layers\": [\n    {\n      \"shape\": [2, 3],\n      \"stats\": [0.5, null, true],\n"
                + "      \"empty\": []\n    },\n    {}\n  ],\n  \"d\": [null, 1.0E-5]\n}\n";
        assertEquals(expected, Json.writePretty(m));
        assertEquals("{\"layers\":[{\"shape\":[2,3],\"stats\":[0.5,null,true],\"empty\":[]},{}],\"d\":[null,1.0E-5]}", Json.write(m));
    }

    @Test
    void writerRejectsUnsupportedValues() {
        JsonException e = assertThrows(JsonException.class, () -> Json.write(List.of(new Object())));
        assertTrue(e.getMessage().contains("cannot write a java.lang.Object as JSON"), e.getMessage());
        Map<Object, Object> badKey = new LinkedHashMap<>();
        badKey.put(1, "x");
        assertTrue(assertThrows(JsonException.class, () -> Json.write(badKey)).getMessage().contains("keys must be strings"));
    }

    private static void assertError(String json, String where, String what) {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(json), json);
        assertTrue(e.getMessage().contains(where) && e.getMessage().contains(what), "for " + json + ": " + e.getMessage());
    }
}
