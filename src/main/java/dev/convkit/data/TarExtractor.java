package dev.convkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A minimal tar reader: enough for the official CIFAR archives (POSIX ustar, GNU long names, pax path records).
 * Members whose base name is wanted are written flat into one folder; everything else is skipped. Each header's
 * checksum is verified, so a corrupt archive fails with the byte position instead of producing garbage.
 */
final class TarExtractor {
    private TarExtractor() {}

    private static final int BLOCK = 512;

    /**
     * Extracts the members of {@code tar} (an uncompressed tar stream) whose base names are in {@code wanted} into
     * {@code destDir}; returns the base names written. {@code archive} names the file in error messages.
     */
    static Set<String> extract(InputStream tar, Path destDir, Set<String> wanted, String archive) throws IOException {
        Set<String> written = new LinkedHashSet<>();
        byte[] header = new byte[BLOCK];
        long position = 0;
        String nextName = null; // from a GNU 'L' or pax 'x' entry, applies to the following member
        while (true) {
            if (tar.readNBytes(header, 0, BLOCK) < BLOCK) {
                throw new DatasetException("tar archive " + archive + " ends inside a header at byte " + position
                        + " without the end-of-archive marker: the archive is truncated");
            }
            position += BLOCK;
            if (isZero(header)) return written; // end-of-archive marker
            verifyChecksum(header, archive, position - BLOCK);
            long size = parseSize(header, archive, position - BLOCK);
            char type = (char) header[156];
            String name = nextName != null ? nextName : headerName(header);
            nextName = null;
            long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
            if (type == 'L' || type == 'x') {
                byte[] data = readExactly(tar, size, archive, position);
                skipExactly(tar, padded - size, archive, position);
                nextName = type == 'L' ? cString(data, 0, data.length) : paxPath(data);
            } else if ((type == '0' || type == '\0' || type == '7') && wanted.contains(baseName(name))) {
                String base = baseName(name);
                Path part = destDir.resolve(base + ".part");
                try (OutputStream out = Files.newOutputStream(part)) {
                    copyExactly(tar, out, size, archive, position);
                }
                Files.move(part, destDir.resolve(base), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                skipExactly(tar, padded - size, archive, position + size);
                written.add(base);
            } else {
                skipExactly(tar, padded, archive, position);
            }
            position += padded;
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) if (b != 0) return false;
        return true;
    }

    /** ustar: unsigned sum of the header with the 8 checksum bytes counted as spaces; some old tars used signed bytes. */
    private static void verifyChecksum(byte[] h, String archive, long at) {
        long stored = parseOctal(h, 148, 8, archive, at, "checksum");
        long unsigned = 0, signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= 148 && i < 156 ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += i >= 148 && i < 156 ? ' ' : h[i];
        }
        if (stored != unsigned && stored != signed) {
            throw new DatasetException("tar archive " + archive + " has a corrupt header at byte " + at + ": checksum " + stored
                    + " stored, " + unsigned + " computed");
        }
    }

    private static long parseSize(byte[] h, String archive, long at) {
        if ((h[124] & 0x80) != 0) { // GNU base-256 for sizes of 8 GiB and more
            long v = 0;
            for (int i = 125; i < 136; i++) v = (v << 8) | (h[i] & 0xff);
            return v;
        }
        return parseOctal(h, 124, 12, archive, at, "size");
    }

    private static long parseOctal(byte[] h, int off, int len, String archive, long at, String field) {
        long v = 0;
        int i = off;
        while (i < off + len && (h[i] == ' ' || h[i] == 0)) i++;
        for (; i < off + len && h[i] != 0 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '7') {
                throw new DatasetException("tar archive " + archive + " has a corrupt header at byte " + at + ": the " + field
                        + " field holds '" + (char) h[i] + "', expected octal digits");
            }
            v = v * 8 + (h[i] - '0');
        }
        return v;
    }

    private static String headerName(byte[] h) {
        String name = cString(h, 0, 100);
        boolean ustar = new String(h, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
        String prefix = ustar ? cString(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String cString(byte[] b, int off, int max) {
        int end = off;
        while (end < off + max && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    /** pax extended header: records "LEN key=value\n"; returns the "path" value or null. */
    private static String paxPath(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        for (String record : text.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) return record.substring(space + 6);
        }
        return null;
    }

    private static String baseName(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        return n.substring(n.lastIndexOf('/') + 1);
    }

    private static byte[] readExactly(InputStream in, long size, String archive, long at) throws IOException {
        if (size > 1 << 20) throw new DatasetException("tar archive " + archive + " has an oversized name record at byte " + at);
        byte[] data = in.readNBytes((int) size);
        if (data.length < size) throw truncated(archive, at);
        return data;
    }

    private static void copyExactly(InputStream in, OutputStream out, long size, String archive, long at) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) throw truncated(archive, at + size - left);
            out.write(buf, 0, r);
            left -= r;
        }
    }

    private static void skipExactly(InputStream in, long n, String archive, long at) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) throw truncated(archive, at + n - left);
                s = 1;
            }
            left -= s;
        }
    }

    private static DatasetException truncated(String archive, long at) {
        return new DatasetException("tar archive " + archive + " ends in the middle of a member at byte " + at + ": the archive is truncated");
    }
}
