package dev.convkit.io;

import dev.convkit.tensor.Shape;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a safetensors file and checks, in this order, with a message naming the file and the fault:
 * the file holds at least the 8-byte length; the header length is at most 100 MB and fits in the file; the header
 * is UTF-8 JSON whose top level is an object; {@code __metadata__}, if present, maps strings to strings; every
 * other member is an object with dtype "F32", a shape of positive integers and {@code data_offsets} [begin, end]
 * inside the data area; shape product x 4 == end - begin; the tensors, ordered by offset, start at 0, neither
 * overlap nor leave gaps, and end exactly at the end of the file.
 */
final class SafetensorsReader {
    private SafetensorsReader() {}

    private record Entry(String name, Shape shape, long begin, long end) {}

    static SafetensorsFile read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            if (fileSize < 8) {
                throw fail(path, "the file is " + fileSize + " bytes long; a safetensors file starts with an 8-byte little-endian header length");
            }
            ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, prefix, 0);
            long headerLength = prefix.flip().getLong();
            if (headerLength < 0 || headerLength > Safetensors.MAX_HEADER_BYTES) {
                throw fail(path, "header length " + Long.toUnsignedString(headerLength) + " (the first 8 bytes, little-endian) is above the "
                        + Safetensors.MAX_HEADER_BYTES + "-byte limit; the file is corrupt or not a safetensors file");
            }
            if (headerLength > fileSize - 8) {
                throw fail(path, "header length " + headerLength + " (the first 8 bytes, little-endian) exceeds the " + (fileSize - 8)
                        + " bytes that follow them; the file is truncated or not a safetensors file");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(ch, headerBytes, 8);
            Map<String, Object> header = parseHeader(path, headerBytes.flip());
            long dataStart = 8 + headerLength;
            long dataSize = fileSize - dataStart;

            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<String, Object> m : header.entrySet()) {
                if (m.getKey().equals(Safetensors.METADATA_KEY)) metadata = parseMetadata(path, m.getValue());
                else entries.add(parseEntry(path, m.getKey(), m.getValue(), dataSize));
            }
            checkLayout(path, entries, dataSize);

            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                float[] data = new float[(int) ((e.end - e.begin) / 4)];
                readFloats(ch, dataStart + e.begin, data);
                tensors.put(e.name, new HostTensor(e.shape, data));
            }
            return new SafetensorsFile(tensors, metadata);
        }
    }

    private static Map<String, Object> parseHeader(Path path, ByteBuffer bytes) throws SafetensorsException {
        String text;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes);
            text = chars.toString();
        } catch (CharacterCodingException e) {
            throw fail(path, "the header is not valid UTF-8 (" + e.getMessage() + ")");
        }
        if (!text.startsWith("{")) {
            throw fail(path, "the header must start with '{' (a JSON object), found "
                    + (text.isEmpty() ? "nothing" : "'" + text.substring(0, Math.min(10, text.length())) + "'"));
        }
        try {
            return Json.parseObject(text);
        } catch (JsonException e) {
            throw fail(path, "the header is not valid JSON: " + e.getMessage());
        }
    }

    private static Map<String, String> parseMetadata(Path path, Object value) throws SafetensorsException {
        if (!(value instanceof Map<?, ?> map)) {
            throw fail(path, "'" + Safetensors.METADATA_KEY + "' must be an object of strings, found " + Json.kind(value));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw fail(path, "'" + Safetensors.METADATA_KEY + "' value of \"" + e.getKey() + "\" must be a string, found " + Json.kind(e.getValue()));
            }
            out.put((String) e.getKey(), s);
        }
        return out;
    }

    private static Entry parseEntry(Path path, String name, Object value, long dataSize) throws SafetensorsException {
        if (!(value instanceof Map<?, ?> info)) throw fail(path, "tensor '" + name + "' must be described by an object, found " + Json.kind(value));
        for (String key : List.of("dtype", "shape", "data_offsets")) {
            if (!info.containsKey(key)) throw fail(path, "tensor '" + name + "' has no \"" + key + "\"");
        }
        Object dtype = info.get("dtype");
        if (!"F32".equals(dtype)) {
            throw fail(path, "tensor '" + name + "' has dtype " + (dtype instanceof String s ? s : Json.kind(dtype))
                    + "; ConvKit reads only F32 tensors");
        }
        if (!(info.get("shape") instanceof List<?> dimsJson)) throw fail(path, "tensor '" + name + "' shape must be an array of integers");
        int[] dims = new int[dimsJson.size()];
        long elements = 1;
        for (int i = 0; i < dims.length; i++) {
            Object d = dimsJson.get(i);
            if (!(d instanceof Long l) || l < 1 || l > Integer.MAX_VALUE) {
                throw fail(path, "tensor '" + name + "' shape " + dimsJson + " has dimension " + d + " at axis " + i
                        + "; expected an integer from 1 to " + Integer.MAX_VALUE);
            }
            dims[i] = (int) (long) l;
            elements *= l; // both factors <= 2^31, so no long overflow before the check below
            if (elements > Integer.MAX_VALUE) {
                throw fail(path, "tensor '" + name + "' shape " + dimsJson + " has more than " + Integer.MAX_VALUE
                        + " elements, too many for one Java array");
            }
        }
        if (!(info.get("data_offsets") instanceof List<?> offsets) || offsets.size() != 2
                || !(offsets.get(0) instanceof Long begin) || !(offsets.get(1) instanceof Long end)) {
            throw fail(path, "tensor '" + name + "' data_offsets must be two integers [begin, end], found " + info.get("data_offsets"));
        }
        if (begin < 0 || end < begin || end > dataSize) {
            throw fail(path, "tensor '" + name + "' data_offsets [" + begin + ", " + end + "] lie outside the data area of "
                    + dataSize + " bytes (expected 0 <= begin <= end <= " + dataSize + ")");
        }
        if (end - begin != elements * 4) {
            throw fail(path, "tensor '" + name + "' of shape " + dimsJson + " needs " + elements + " x 4 = " + (elements * 4)
                    + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new Entry(name, Shape.of(dims), begin, end);
    }

    /** Contiguous from 0 to the end of the file, as the reference reader requires. */
    private static void checkLayout(Path path, List<Entry> entries, long dataSize) throws SafetensorsException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long expected = 0;
        Entry previous = null;
        for (Entry e : byOffset) {
            if (e.begin < expected) {
                throw fail(path, "tensors '" + previous.name + "' [" + previous.begin + ", " + previous.end + "] and '" + e.name
                        + "' [" + e.begin + ", " + e.end + "] overlap");
            }
            if (e.begin > expected) {
                throw fail(path, (previous == null ? "the data area starts with " + e.begin + " unused bytes before '" + e.name + "'"
                        : e.begin - expected + " unused bytes lie between '" + previous.name + "' and '" + e.name + "'")
                        + "; safetensors requires tensor data to be contiguous");
            }
            expected = e.end;
            previous = e;
        }
        if (expected != dataSize) {
            throw fail(path, "the data area is " + dataSize + " bytes but the tensors cover only " + expected
                    + "; the file has trailing bytes or a tensor is missing from the header");
        }
    }

    private static void readFloats(FileChannel ch, long position, float[] dst) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < dst.length; ) {
            int n = Math.min(dst.length - i, chunk.capacity() / 4);
            chunk.clear().limit(n * 4);
            readFully(ch, chunk, position + 4L * i);
            chunk.flip().asFloatBuffer().get(dst, i, n);
            i += n;
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        long p = position;
        while (dst.hasRemaining()) {
            int r = ch.read(dst, p);
            if (r < 0) throw new EOFException("unexpected end of file at byte " + p);
            p += r;
        }
    }

    private static SafetensorsException fail(Path path, String what) {
        return new SafetensorsException("cannot read safetensors file " + path + ": " + what);
    }
}
