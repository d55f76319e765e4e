package dev.convkit.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writer and reader of the safetensors format (the format of Hugging Face's {@code safetensors} library), f32 only.
 *
 * <p>File layout: 8 bytes N (unsigned 64-bit little-endian), N bytes of UTF-8 JSON header, then the data area.
 * The header is an object {@code {"__metadata__": {string: string}, name: {"dtype": "F32", "shape": [..],
 * "data_offsets": [begin, end]}, ...}} whose offsets are relative to the start of the data area. Data is raw
 * little-endian row-major (canonical layout).
 *
 * <p>What this writer produces, chosen to match the reference implementation so Python's
 * {@code safetensors.safe_open} / {@code load_file} reads it:
 * <ul>
 *   <li>compact JSON (no whitespace), {@code __metadata__} first and only when non-empty, then the tensors in the
 *       caller's insertion order, each with its members in the order dtype, shape, data_offsets;</li>
 *   <li>the header padded with spaces to a multiple of 8 bytes, so every f32 tensor starts 8-byte aligned in the file;</li>
 *   <li>tensor data contiguous, in the same order, starting at offset 0 and ending at the end of the file.</li>
 * </ul>
 * The reader ({@link #read}) accepts any file that satisfies the same rules the reference reader enforces and
 * reports each violation with a specific message.
 */
public final class Safetensors {
    private Safetensors() {}

    /** The reference implementation rejects headers above this size; so do we. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    /** Atomically writes {@code tensors} (insertion order kept) and {@code metadata} to {@code path}. */
    public static void write(Path path, Map<String, HostTensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] header = header(tensors, metadata); // validate before touching the file system
        AtomicFiles.write(path, out -> writeTo(out, header, tensors));
    }

    /** Writes the whole file to a stream (not closed). */
    public static void write(OutputStream out, Map<String, HostTensor> tensors, Map<String, String> metadata) throws IOException {
        writeTo(out, header(tensors, metadata), tensors);
    }

    /** Reads and validates a file; see {@link SafetensorsReader} for what is checked. */
    public static SafetensorsFile read(Path path) throws IOException {
        return SafetensorsReader.read(path);
    }

    /**
     * The padded JSON header bytes (without the 8-byte length prefix) for these tensors and metadata: exactly the
     * header bytes {@link #write} puts into the file.
     */
    public static byte[] header(Map<String, HostTensor> tensors, Map<String, String> metadata) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("safetensors metadata keys and values must be non-null strings, found "
                            + e.getKey() + " = " + e.getValue());
                }
            }
            json.put(METADATA_KEY, new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null || name.isEmpty()) throw new IllegalArgumentException("safetensors tensor names must be non-empty");
            if (name.equals(METADATA_KEY)) throw new IllegalArgumentException("'" + METADATA_KEY + "' is reserved and cannot name a tensor");
            HostTensor t = e.getValue();
            long bytes = 4L * t.data().length;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", "F32");
            List<Long> shape = new ArrayList<>();
            for (int d : t.shape().dims()) shape.add((long) d);
            entry.put("shape", shape);
            entry.put("data_offsets", List.of(offset, offset + bytes));
            json.put(name, entry);
            offset += bytes;
        }
        byte[] text = Json.write(json).getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) / 8 * 8;
        byte[] header = new byte[padded];
        System.arraycopy(text, 0, header, 0, text.length);
        java.util.Arrays.fill(header, text.length, padded, (byte) ' ');
        return header;
    }

    private static void writeTo(OutputStream out, byte[] header, Map<String, HostTensor> tensors) throws IOException {
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        out.write(prefix.array());
        out.write(header);
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (HostTensor t : tensors.values()) {
            float[] data = t.data();
            for (int i = 0; i < data.length; ) {
                int n = Math.min(data.length - i, chunk.capacity() / 4);
                chunk.clear();
                chunk.asFloatBuffer().put(data, i, n);
                out.write(chunk.array(), 0, n * 4);
                i += n;
            }
        }
        out.flush();
    }
}
