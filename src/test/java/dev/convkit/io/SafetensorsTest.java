package dev.convkit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {

    @TempDir Path dir;

    /**
     * One tensor "w" = [1.0, -2.0] of shape (2,), no metadata. By hand: the JSON
     * {"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} is 5 + 15 + 12 + 20 + 2 = 54 bytes
     * ({"w": | {"dtype":"F32", | "shape":[2], | "data_offsets":[0,8] | }}), padded with 2 spaces to 56; then
     * 1.0f = 0x3f800000 and -2.0f = 0xc0000000, little-endian. 8 + 56 + 8 = 72 bytes.
     */
    @Test
    void tinyFileIsByteExact() throws IOException {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("w", HostTensor.of(new float[] {1.0f, -2.0f}, 2));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, tensors, Map.of());
        String json = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertEquals(54, json.length());
        ByteBuffer expected = ByteBuffer.allocate(72);
        expected.put(new byte[] {56, 0, 0, 0, 0, 0, 0, 0});
        expected.put((json + "  ").getBytes(StandardCharsets.US_ASCII));
        expected.put(new byte[] {0, 0, (byte) 0x80, 0x3f, 0, 0, 0, (byte) 0xc0});
        assertArrayEquals(expected.array(), out.toByteArray());
    }

    @Test
    void headerWithMetadataComesFirstAndIsPaddedToAMultipleOf8() {
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("b", HostTensor.of(new float[] {0f}, 1));
        tensors.put("a", HostTensor.of(new float[6], 2, 3));
        byte[] header = Safetensors.header(tensors, Map.of("format", "pt"));
        String text = new String(header, StandardCharsets.UTF_8);
        String json = "{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[4,28]}}";
        assertEquals(json, text.strip());
        assertEquals(0, header.length % 8);
        assertEquals((json.length() + 7) / 8 * 8, header.length);
    }

    @Test
    void roundTripKeepsNamesOrderShapesValuesAndMetadata() throws IOException {
        SplittableRandom rng = new SplittableRandom(7);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        tensors.put("stage1/block1/conv1/kernel", HostTensor.of(random(rng, 16 * 3 * 3 * 3), 16, 3, 3, 3));
        tensors.put("stage1/block1/bn1/gamma", HostTensor.of(random(rng, 16), 16));
        tensors.put("dense/bias", HostTensor.of(new float[] {Float.NaN, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE}, 4));
        tensors.put("scalar", new HostTensor(Shape.of(), new float[] {3.5f}));
        tensors.put("big", HostTensor.of(random(rng, 300_000), 300_000)); // spans several read/write chunks
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("convkit.model", "resnet20_v1");
        meta.put("note", "quotes \" and\nnewlines survive");
        Path file = dir.resolve("m.safetensors");
        Safetensors.write(file, tensors, meta);

        SafetensorsFile back = Safetensors.read(file);
        assertEquals(List.copyOf(tensors.keySet()), List.copyOf(back.tensors().keySet()));
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor t = back.tensor(e.getKey());
            assertEquals(e.getValue().shape(), t.shape(), e.getKey());
            assertArrayEquals(e.getValue().data(), t.data(), e.getKey()); // bitwise, NaN and -0 included
        }
        assertEquals(meta, back.metadata());
        long expectedSize = 8 + Safetensors.header(tensors, meta).length + 4L * (432 + 16 + 4 + 1 + 300_000);
        assertEquals(expectedSize, Files.size(file));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> back.tensor("nope"));
        assertTrue(missing.getMessage().startsWith("no tensor named 'nope'; the file has [stage1/block1/conv1/kernel"), missing.getMessage());
    }

    @Test
    void readsFilesWhoseHeaderOrderDiffersFromTheDataOrder() throws IOException {
        // As Python writers do: header members in any order; data sorted by offset.
        String json = "{\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path f = file(json, floats(10f, 20f));
        SafetensorsFile back = Safetensors.read(f);
        assertEquals(List.of("b", "a"), List.copyOf(back.tensors().keySet()));
        assertEquals(20f, back.tensor("b").data()[0]);
        assertEquals(10f, back.tensor("a").data()[0]);
    }

    @Test
    void writerRejectsReservedOrEmptyNames() {
        Map<String, HostTensor> t = Map.of("__metadata__", HostTensor.of(new float[1], 1));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.header(t, Map.of()));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.header(Map.of("", HostTensor.of(new float[1], 1)), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> HostTensor.of(new float[5], 2, 3));
    }

    @Test
    void corruptFilesGiveSpecificMessages() throws IOException {
        String ok = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        Path shortFile = Files.write(dir.resolve("short"), new byte[] {1, 2, 3});
        assertReadError(shortFile, "the file is 3 bytes long; a safetensors file starts with an 8-byte little-endian header length");

        byte[] lengthTooBig = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).array();
        assertReadError(Files.write(dir.resolve("len"), lengthTooBig), "header length 1000 (the first 8 bytes, little-endian) exceeds the 8 bytes that follow them");
        byte[] huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array();
        assertReadError(Files.write(dir.resolve("huge"), huge), "header length 18446744073709551615");

        assertReadError(file("[1,2]   ", new byte[0]), "the header must start with '{' (a JSON object), found '[1,2]   '");
        assertReadError(file("{\"w\": }", new byte[0]), "the header is not valid JSON: JSON error at line 1, column 7");
        assertReadError(file(ok.replace("F32", "F16"), floats(1, 2)), "tensor 'w' has dtype F16; ConvKit reads only F32 tensors");
        assertReadError(file(ok.replace("[2]", "[3]"), floats(1, 2)),
                "tensor 'w' of shape [3] needs 3 x 4 = 12 bytes but data_offsets [0, 8] hold 8");
        assertReadError(file(ok.replace("[0,8]", "[0,16]").replace("[2]", "[4]"), floats(1, 2)),
                "tensor 'w' data_offsets [0, 16] lie outside the data area of 8 bytes");
        assertReadError(file(ok.replace("[2]", "[0]").replace("[0,8]", "[0,0]"), new byte[0]), "has dimension 0 at axis 0");
        assertReadError(file(ok.replace(",\"data_offsets\":[0,8]", ""), floats(1, 2)), "tensor 'w' has no \"data_offsets\"");
        assertReadError(file(ok, floats(1, 2, 3)), "the data area is 12 bytes but the tensors cover only 8; the file has trailing bytes");

        String two = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[%s]}}";
        assertReadError(file(String.format(two, "4,12"), floats(1, 2, 3)), "tensors 'a' [0, 8] and 'b' [4, 12] overlap");
        assertReadError(file(String.format(two, "12,20"), floats(1, 2, 3, 4, 5)),
                "4 unused bytes lie between 'a' and 'b'; safetensors requires tensor data to be contiguous");
        assertReadError(file("{\"__metadata__\":{\"k\":1}}", new byte[0]), "'__metadata__' value of \"k\" must be a string, found number");

        byte[] badUtf8 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8)
                .put(new byte[] {'{', (byte) 0xff, '}', ' ', ' ', ' ', ' ', ' '}).array();
        assertReadError(Files.write(dir.resolve("utf8"), badUtf8), "the header is not valid UTF-8");
    }

    private void assertReadError(Path f, String expected) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().startsWith("cannot read safetensors file " + f + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "expected «" + expected + "» in: " + e.getMessage());
    }

    private int counter;

    /** A file with this exact header text (no padding added) and data. */
    private Path file(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        return Files.write(dir.resolve("f" + counter++ + ".safetensors"), b.array());
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian();
        return a;
    }
}
