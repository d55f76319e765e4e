package dev.convkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reader of the official CIFAR "binary version" files, raw or gzip-compressed (detected from the content).
 *
 * <p>A file is a sequence of fixed-size records with no header. CIFAR-10 ({@code data_batch_1..5.bin},
 * {@code test_batch.bin}): 1 label byte (0..9) then 3072 pixel bytes. CIFAR-100 ({@code train.bin},
 * {@code test.bin}): a coarse label byte (0..19), a fine label byte (0..99), then 3072 pixel bytes. The pixels are
 * three 32x32 row-major planes R, G, B, i.e. already [C, H, W].
 */
public final class CifarReader {
    private CifarReader() {}

    public static final int CHANNELS = 3;
    public static final int SIZE = 32;
    public static final int PIXELS = CHANNELS * SIZE * SIZE; // 3072 bytes per image

    /** Which file flavour, and for CIFAR-100 which of its two labels to keep. */
    public enum Labels {
        /** CIFAR-10: one label byte, 10 classes. */
        CIFAR10(1, 0, 10),
        /** CIFAR-100, the 100 fine classes (second label byte). */
        CIFAR100_FINE(2, 1, 100),
        /** CIFAR-100, the 20 coarse superclasses (first label byte). */
        CIFAR100_COARSE(2, 0, 20);

        final int labelBytes;
        final int labelIndex;
        final int numClasses;

        Labels(int labelBytes, int labelIndex, int numClasses) {
            this.labelBytes = labelBytes;
            this.labelIndex = labelIndex;
            this.numClasses = numClasses;
        }

        public int numClasses() { return numClasses; }

        /** Bytes per record: label bytes + 3072 pixels. */
        public int recordBytes() { return labelBytes + PIXELS; }
    }

    /**
     * Records of one file.
     *
     * @param pixels {@code count * 3072} bytes, [N, 3, 32, 32] uint8
     * @param labels {@code count} class indices
     */
    public record Batch(int count, byte[] pixels, int[] labels) {}

    /**
     * Reads a whole file. {@code expectedRecords} > 0 also checks the record count (10,000 per CIFAR-10 batch; 50,000
     * / 10,000 for CIFAR-100 train / test); 0 accepts any whole number of records.
     */
    public static Batch read(Path file, Labels labels, int expectedRecords) {
        return read(file, labels, expectedRecords, Integer.MAX_VALUE);
    }

    /**
     * The first {@code min(limit, records)} records. The whole file's record count is checked against
     * {@code expectedRecords} (when positive) even with a limit: a compressed file is decompressed to its end.
     */
    public static Batch read(Path file, Labels labels, int expectedRecords, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        try (InputStream in = DataFiles.open(file)) {
            try {
                return read(in, file, labels, expectedRecords, limit);
            } catch (DatasetException e) {
                throw e.getCause() == null ? DataFiles.rootCause(in, file, e) : e;
            }
        } catch (IOException e) {
            throw DataFiles.readFailure(file, e);
        }
    }

    private static Batch read(InputStream in, Path file, Labels labels, int expectedRecords, int limit) throws IOException {
        int record = labels.recordBytes();
        boolean gzip = DataFiles.isGzip(file);
        if (!gzip) checkRecordCount(file, labels, Files.size(file), expectedRecords);
        byte[] data;
        if (limit == Integer.MAX_VALUE) {
            data = in.readAllBytes();
            checkRecordCount(file, labels, data.length, expectedRecords);
        } else {
            // readNBytes grows its buffer as data arrives, so a large limit on a small file allocates little.
            data = in.readNBytes((int) Math.min((long) limit * record, Integer.MAX_VALUE - 8));
            if (data.length == 0) throw invalid(file, labels, "the file holds no record", "at least one record of " + record + " bytes");
            if (data.length % record != 0) {
                throw invalid(file, labels, "the data ends " + (data.length % record) + " bytes into record " + data.length / record
                        + " (truncated)", "whole records of " + record + " bytes");
            }
            if (gzip && expectedRecords > 0) checkRecordCount(file, labels, data.length + in.transferTo(OutputStream.nullOutputStream()), expectedRecords);
        }
        return decode(file, labels, data);
    }

    private static void checkRecordCount(Path file, Labels labels, long bytes, int expectedRecords) {
        int record = labels.recordBytes();
        String layout = labels.labelBytes == 1 ? "1 label byte + 3072 pixel bytes" : "coarse and fine label bytes + 3072 pixel bytes";
        if (bytes == 0) throw invalid(file, labels, "the file holds no record", "records of " + record + " bytes (" + layout + ")");
        if (bytes % record != 0) {
            throw invalid(file, labels, "its " + bytes + " bytes of data are not a whole number of " + record + "-byte records (" + layout
                    + "); " + bytes / record + " records and " + bytes % record + " extra bytes", "a multiple of " + record + " bytes");
        }
        if (expectedRecords > 0 && bytes / record != expectedRecords) {
            throw invalid(file, labels, "it holds " + bytes / record + " records", expectedRecords + " records of " + record + " bytes = "
                    + (long) expectedRecords * record + " bytes");
        }
    }

    private static Batch decode(Path file, Labels labels, byte[] data) {
        int record = labels.recordBytes();
        int n = data.length / record;
        byte[] pixels = new byte[n * PIXELS];
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int base = i * record;
            int label = data[base + labels.labelIndex] & 0xff;
            if (label >= labels.numClasses) {
                throw invalid(file, labels, "record " + i + " has label " + label + (labels == Labels.CIFAR100_FINE ? " (fine)"
                        : labels == Labels.CIFAR100_COARSE ? " (coarse)" : ""), "labels 0.." + (labels.numClasses - 1));
            }
            if (labels.labelBytes == 2) { // validate the label we do not keep as well: a bad one means a corrupt record
                int other = data[base + 1 - labels.labelIndex] & 0xff;
                int otherClasses = labels == Labels.CIFAR100_FINE ? 20 : 100;
                if (other >= otherClasses) {
                    throw invalid(file, labels, "record " + i + " has " + (labels == Labels.CIFAR100_FINE ? "coarse" : "fine") + " label " + other,
                            "labels 0.." + (otherClasses - 1));
                }
            }
            out[i] = label;
            System.arraycopy(data, base + labels.labelBytes, pixels, i * PIXELS, PIXELS);
        }
        return new Batch(n, pixels, out);
    }

    private static DatasetException invalid(Path file, Labels labels, String what, String expected) {
        String kind = labels == Labels.CIFAR10 ? "CIFAR-10" : "CIFAR-100";
        return new DatasetException(kind + " binary file " + file + " is invalid: " + what + "; expected " + expected
                + ". Download the file again or point the data folder (--data-dir, the dataDir argument, or $CONVKIT_DATA) at an intact copy.");
    }
}
