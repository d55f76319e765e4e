package dev.convkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reader of the IDX files of MNIST and Fashion-MNIST, raw or gzip-compressed (detected from the content).
 *
 * <p>IDX is big-endian: a 4-byte magic {@code 0x00000803} (unsigned bytes, 3 dimensions: images) or
 * {@code 0x00000801} (unsigned bytes, 1 dimension: labels), then one unsigned 32-bit size per dimension, then the
 * data. Everything is validated: magic, positive dimensions, that the data length equals what the header announces
 * (neither truncated nor with trailing bytes) and that labels lie in 0..numClasses-1. Each failure is a
 * {@link DatasetException} naming the file, the fault and the expectation.
 */
public final class IdxReader {
    private IdxReader() {}

    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;
    private static final int IMAGES_HEADER = 16;
    private static final int LABELS_HEADER = 8;

    /** All images of the file. */
    public static IdxImages readImages(Path file) { return readImages(file, Integer.MAX_VALUE); }

    /**
     * The first {@code min(limit, count)} images. With a limit below the count the rest of the file is still checked
     * (a raw file's size against the header, a compressed file by decompressing the rest), so a truncated file is an
     * error even when its first records are intact.
     */
    public static IdxImages readImages(Path file, int limit) {
        requirePositive(limit);
        try (InputStream in = DataFiles.open(file)) {
            try {
                return readImages(in, file, limit);
            } catch (DatasetException e) {
                throw e.getCause() == null ? DataFiles.rootCause(in, file, e) : e;
            }
        } catch (IOException e) {
            throw DataFiles.readFailure(file, e);
        }
    }

    private static IdxImages readImages(InputStream in, Path file, int limit) throws IOException {
        byte[] h = readHeader(in, file, IMAGES_HEADER, IMAGES_MAGIC, "image");
        long count = DataFiles.u32(h, 4), rows = DataFiles.u32(h, 8), cols = DataFiles.u32(h, 12);
        if (count == 0 || rows == 0 || cols == 0) {
            throw invalid(file, "image", "the header gives dimensions " + count + " x " + rows + " x " + cols,
                    "every dimension (images x rows x columns) to be at least 1");
        }
        long imageBytes = rows * cols; // each below 2^32: no overflow; count * imageBytes can overflow, so divide instead
        if (imageBytes > Integer.MAX_VALUE - 16 || count > (Integer.MAX_VALUE - 16) / imageBytes) {
            throw invalid(file, "image", "the header announces " + count + " images of " + rows + " x " + cols + " = "
                            + java.math.BigInteger.valueOf(count).multiply(java.math.BigInteger.valueOf(imageBytes)) + " bytes",
                    "at most " + (Integer.MAX_VALUE - 16) + " bytes of pixels");
        }
        long total = count * imageBytes;
        checkRawSize(file, IMAGES_HEADER, total, count + " images of " + rows + " x " + cols);
        int take = (int) Math.min(count, limit);
        byte[] pixels = readBody(in, file, "image", (int) (take * imageBytes), take == count, total, count + " images of " + rows + " x " + cols);
        return new IdxImages(take, (int) rows, (int) cols, pixels);
    }

    /** All labels of the file; each must lie in {@code 0..numClasses-1}. */
    public static int[] readLabels(Path file, int numClasses) { return readLabels(file, numClasses, Integer.MAX_VALUE); }

    /** The first {@code min(limit, count)} labels. */
    public static int[] readLabels(Path file, int numClasses, int limit) {
        requirePositive(limit);
        try (InputStream in = DataFiles.open(file)) {
            try {
                return readLabels(in, file, numClasses, limit);
            } catch (DatasetException e) {
                throw e.getCause() == null ? DataFiles.rootCause(in, file, e) : e;
            }
        } catch (IOException e) {
            throw DataFiles.readFailure(file, e);
        }
    }

    private static int[] readLabels(InputStream in, Path file, int numClasses, int limit) throws IOException {
        byte[] h = readHeader(in, file, LABELS_HEADER, LABELS_MAGIC, "label");
        long count = DataFiles.u32(h, 4);
        if (count == 0 || count > Integer.MAX_VALUE - 8) {
            throw invalid(file, "label", "the header gives " + count + " labels", "between 1 and " + (Integer.MAX_VALUE - 8) + " labels");
        }
        checkRawSize(file, LABELS_HEADER, count, count + " labels");
        int take = (int) Math.min(count, limit);
        byte[] raw = readBody(in, file, "label", take, take == count, count, count + " labels");
        int[] labels = new int[take];
        for (int i = 0; i < take; i++) {
            labels[i] = raw[i] & 0xff;
            if (labels[i] >= numClasses) {
                throw invalid(file, "label", "label " + labels[i] + " at index " + i + " is out of range",
                        "class indices 0.." + (numClasses - 1));
            }
        }
        return labels;
    }

    private static byte[] readHeader(InputStream in, Path file, int headerBytes, int magic, String kind) {
        byte[] h = new byte[headerBytes];
        int got = DataFiles.readFully(in, h, 0, headerBytes, file);
        if (got < 4) {
            throw invalid(file, kind, "the file holds only " + got + " bytes", "a " + headerBytes + "-byte IDX header starting with magic "
                    + DataFiles.hex32(magic));
        }
        int found = (int) DataFiles.u32(h, 0);
        if (found != magic) {
            String hint = found == IMAGES_MAGIC ? " (that is an IDX image file)" : found == LABELS_MAGIC ? " (that is an IDX label file)" : "";
            throw invalid(file, kind, "found magic " + DataFiles.hex32(found) + hint,
                    "magic " + DataFiles.hex32(magic) + " (unsigned bytes, " + (magic == IMAGES_MAGIC ? "3 dimensions" : "1 dimension") + ")");
        }
        if (got < headerBytes) {
            throw invalid(file, kind, "the file ends after " + got + " bytes, inside the header", "a complete " + headerBytes + "-byte header");
        }
        return h;
    }

    /** An uncompressed file's size is known up front: compare it with the header before reading anything. */
    private static void checkRawSize(Path file, int headerBytes, long bodyBytes, String announced) throws IOException {
        if (DataFiles.isGzip(file)) return;
        long actual = Files.size(file) - headerBytes;
        if (actual != bodyBytes) {
            throw invalid(file, announced.endsWith("labels") ? "label" : "image",
                    "the header announces " + announced + " = " + bodyBytes + " bytes of data, but the file holds " + actual
                            + " bytes after its " + headerBytes + "-byte header (" + (actual < bodyBytes ? "truncated" : "trailing bytes") + ")",
                    "the file size to match the header");
        }
    }

    /**
     * Reads {@code length} bytes of data. readNBytes grows its buffer as data arrives, so a corrupt header that
     * announces gigabytes cannot make us allocate them up front.
     */
    private static byte[] readBody(InputStream in, Path file, String kind, int length, boolean whole, long bodyBytes, String announced)
            throws IOException {
        byte[] dst = in.readNBytes(length);
        if (dst.length < length) {
            throw invalid(file, kind, "the data ends after " + dst.length + " of the " + bodyBytes + " bytes the header announces ("
                    + announced + "): the file is truncated", "the data length to match the header");
        }
        // Past the records asked for, only the length matters: count the rest without keeping it.
        long rest = whole ? (in.read() >= 0 ? 1 : 0) : in.transferTo(OutputStream.nullOutputStream()) - (bodyBytes - length);
        if (rest < 0) {
            throw invalid(file, kind, "the data ends after " + (bodyBytes + rest) + " of the " + bodyBytes + " bytes the header announces ("
                    + announced + "): the file is truncated (the first " + length + " bytes asked for are there, the rest is not)",
                    "the data length to match the header");
        }
        if (rest > 0) {
            throw invalid(file, kind, "there are bytes after the " + bodyBytes + " bytes the header announces (" + announced + ")",
                    "the data length to match the header");
        }
        return dst;
    }

    private static void requirePositive(int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }

    private static DatasetException invalid(Path file, String kind, String what, String expected) {
        return new DatasetException("IDX " + kind + " file " + file + " is invalid: " + what + "; expected " + expected
                + ". Download the file again or point the data folder (--data-dir, the dataDir argument, or $CONVKIT_DATA) at an intact copy.");
    }
}
