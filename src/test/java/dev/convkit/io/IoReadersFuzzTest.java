package dev.convkit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.convkit.testing.FuzzChecks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing (Jazzer; README "Fuzzing") of the JSON codec, through the {@link Json} facade so the
 * target holds whatever parser sits behind it, and of the safetensors reader (header JSON and data). Documented
 * failures: {@link JsonException} and {@link SafetensorsException}, each with a message.
 */
class IoReadersFuzzTest {
    @TempDir static Path dir;

    /**
     * The input as UTF-8 text. What parses must also survive {@link Json#write} and parse back to an equal value
     * (non-finite numbers excepted: the writer maps them to null by design).
     */
    @FuzzTest
    @Timeout(10)
    void json(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        FuzzChecks.check(input.length, List.of(JsonException.class), () -> {
            Object value = Json.parse(text);
            if (!hasNonFinite(value)) {
                Object again = Json.parse(Json.write(value));
                if (!Objects.equals(again, value)) {
                    throw new AssertionError("JSON value changed in a write/parse round trip: " + value + " became " + again);
                }
            }
        });
        FuzzChecks.check(input.length, List.of(JsonException.class), () -> Json.parseObject(text));
    }

    /** The input as a file. */
    @FuzzTest
    @Timeout(10)
    void safetensors(byte[] input) {
        Path file = FuzzChecks.write(dir, "fuzz.safetensors", input);
        FuzzChecks.check(input.length, List.of(SafetensorsException.class), () -> Safetensors.read(file));
    }

    private static boolean hasNonFinite(Object v) {
        if (v instanceof Double d) return !Double.isFinite(d);
        if (v instanceof Map<?, ?> m) return m.values().stream().anyMatch(IoReadersFuzzTest::hasNonFinite);
        if (v instanceof List<?> l) return l.stream().anyMatch(IoReadersFuzzTest::hasNonFinite);
        return false;
    }

    /** The seeds: valid and near-valid documents and files, checked to read as built, and committed as generated. */
    @Test
    void seedCorpus() throws IOException {
        Map<String, byte[]> json = new LinkedHashMap<>();
        json.put("object", utf8("{\"a\": [1, -2.5e-3, true, false, null], \"b\": {\"c\": \"x\\u00e9\\n\\\"\"}}"));
        json.put("numbers", utf8("[0, -0, 9223372036854775807, 9223372036854775808, 1e308, 1E-320, -0.0]"));
        json.put("deep", utf8("[".repeat(600) + "]".repeat(600)));
        json.put("duplicate", utf8("{\"a\":1,\"a\":2}"));
        json.put("unterminated", utf8("{\"a\": \"b"));
        json.put("escapes", utf8("\"\\ud83d\\ude00 \\/ \\b\\f\\r\\t\""));
        FuzzChecks.syncSeeds(getClass(), "json", json);
        assertEquals(Map.of("a", Arrays.asList(1L, -2.5e-3, true, false, null), "b", Map.of("c", "x\u00e9\n\"")),
                Json.parseObject(new String(json.get("object"), StandardCharsets.UTF_8)));

        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("conv/kernel", HostTensor.of(new float[] {1, -2, 0.5f, Float.NaN, 3, 4}, 1, 2, 3));
        tensors.put("conv/bias", HostTensor.of(new float[] {0.25f}, 1));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, tensors, Map.of("format", "pt"));
        byte[] valid = out.toByteArray();
        Map<String, byte[]> st = new LinkedHashMap<>();
        st.put("valid", valid);
        st.put("truncated", Arrays.copyOf(valid, valid.length - 3));
        byte[] hugeHeader = valid.clone();
        ByteBuffer.wrap(hugeHeader).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        st.put("huge-header-length", hugeHeader);
        st.put("empty-object", withHeader("{}", new byte[0]));
        st.put("gap", withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]));
        st.put("huge-shape", withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647],\"data_offsets\":[0,4]}}", new byte[4]));
        FuzzChecks.syncSeeds(getClass(), "safetensors", st);
        SafetensorsFile read = Safetensors.read(FuzzChecks.write(dir, "seed.safetensors", valid));
        assertArrayEquals(tensors.get("conv/kernel").data(), read.tensor("conv/kernel").data());
        assertEquals(Map.of("format", "pt"), read.metadata());
    }

    private static byte[] withHeader(String header, byte[] data) {
        byte[] h = utf8(header);
        return ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h).put(data).array();
    }

    private static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
