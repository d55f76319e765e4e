package dev.convkit.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Builders of small data files for the tests: IDX, CIFAR records, gzip, ustar archives; and where shared data is. */
final class TestFiles {
    private TestFiles() {}

    /** The shared real data sets next to the checkout (../shared/data), present on developer machines and CI. */
    static final Path SHARED_DATA = Path.of("..", "shared", "data");

    /** The repository's own data folder (./data, holding mnist/). */
    static final Path REPO_DATA = Path.of("data");

    /** An IDX image file: magic 0x803, count x rows x cols, then the pixels. */
    static byte[] idxImages(int count, int rows, int cols, byte[] pixels) {
        return ByteBuffer.allocate(16 + pixels.length).putInt(0x803).putInt(count).putInt(rows).putInt(cols).put(pixels).array();
    }

    /** An IDX label file: magic 0x801, count, then one byte per label. */
    static byte[] idxLabels(int... labels) {
        ByteBuffer b = ByteBuffer.allocate(8 + labels.length).putInt(0x801).putInt(labels.length);
        for (int l : labels) b.put((byte) l);
        return b.array();
    }

    /** Pixel i = (seed + 7 i) mod 256: distinct, easy to predict. */
    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (seed + 7 * i);
        return b;
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * CIFAR records: for CIFAR-10 {@code labels[i][0]}; for CIFAR-100 {@code labels[i] = {coarse, fine}}; pixels of
     * record i are {@code pattern(3072, i)}.
     */
    static byte[] cifarRecords(int[][] labels) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < labels.length; i++) {
            for (int l : labels[i]) out.write(l);
            out.writeBytes(pattern(CifarReader.PIXELS, i));
        }
        return out.toByteArray();
    }

    /** A POSIX ustar archive of regular files (name -> content), in map order, with the end-of-archive marker. */
    static byte[] tar(Map<String, byte[]> files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            byte[] h = new byte[512];
            put(h, 0, e.getKey());
            put(h, 100, "0000644");
            put(h, 108, "0000000");
            put(h, 116, "0000000");
            put(h, 124, String.format("%011o", e.getValue().length));
            put(h, 136, "00000000000");
            h[156] = '0';
            put(h, 257, "ustar");
            h[262] = 0;
            put(h, 263, "00");
            Arrays.fill(h, 148, 156, (byte) ' ');
            int sum = 0;
            for (byte b : h) sum += b & 0xff;
            put(h, 148, String.format("%06o", sum));
            h[154] = 0;
            h[155] = ' ';
            out.writeBytes(h);
            out.writeBytes(e.getValue());
            out.writeBytes(new byte[(512 - e.getValue().length % 512) % 512]);
        }
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
