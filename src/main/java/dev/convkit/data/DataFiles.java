package dev.convkit.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Opening data files that may or may not be gzip-compressed, and turning low-level read failures into
 * {@link DatasetException}s that say which file is broken and how. Compression is detected from the content (the
 * gzip magic bytes 1f 8b), never from the file name, so a renamed file still reads.
 */
final class DataFiles {
    private DataFiles() {}

    /** True when the file starts with the gzip magic 0x1f 0x8b. */
    static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** A buffered stream of the file's content, decompressed when the file is gzip. */
    static InputStream open(Path file) {
        try {
            boolean gzip = isGzip(file);
            InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
            return gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
        } catch (NoSuchFileException e) {
            throw new DatasetException("data file " + file + " does not exist");
        } catch (IOException e) {
            throw readFailure(file, e);
        }
    }

    /**
     * Reads up to {@code len} bytes, stopping early only at the end of the stream; returns how many were read.
     * Gzip and I/O failures become {@link DatasetException}s naming {@code file}.
     */
    static int readFully(InputStream in, byte[] dst, int off, int len, Path file) {
        int done = 0;
        try {
            while (done < len) {
                int r = in.read(dst, off + done, len - done);
                if (r < 0) break;
                done += r;
            }
            return done;
        } catch (IOException e) {
            throw readFailure(file, e);
        }
    }

    /** The message for a failure while reading; distinguishes broken gzip data from other I/O errors. */
    static DatasetException readFailure(Path file, IOException e) {
        if (e instanceof ZipException) {
            return new DatasetException("data file " + file + " is not a valid gzip stream (" + e.getMessage()
                    + "): the compressed data is corrupt; expected a complete gzip file, so download it again", e);
        }
        if (e instanceof EOFException) {
            return new DatasetException("data file " + file + " ends in the middle of its gzip-compressed data ("
                    + e.getMessage() + "): the .gz file is truncated; expected a complete gzip file, so download it again", e);
        }
        return new DatasetException("cannot read data file " + file + ": " + e, e);
    }

    /**
     * A format error found in decompressed data may be the symptom of a corrupt .gz file (deflate can decode damaged
     * data into garbage before the CRC check at the end fails). Drains the gzip stream: if that fails, the gzip
     * failure is the root cause and is returned (with {@code formatError} suppressed); otherwise {@code formatError}.
     */
    static DatasetException rootCause(InputStream in, Path file, DatasetException formatError) {
        if (!(in instanceof GZIPInputStream)) return formatError;
        try {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // drain to reach the CRC check
            }
            return formatError;
        } catch (IOException e) {
            DatasetException gzip = readFailure(file, e);
            gzip.addSuppressed(formatError);
            return gzip;
        }
    }

    static String hex32(int v) { return String.format("0x%08x", v); }

    /** Big-endian unsigned 32-bit value at {@code off}, as read from an IDX header. */
    static long u32(byte[] b, int off) {
        return ((b[off] & 0xffL) << 24) | ((b[off + 1] & 0xffL) << 16) | ((b[off + 2] & 0xffL) << 8) | (b[off + 3] & 0xffL);
    }
}
