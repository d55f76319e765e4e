package dev.convkit.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * Extracts the wanted members of a tar stream (the official CIFAR archives) flat into one folder, through Apache
 * Commons Compress's {@link TarArchiveInputStream} (ustar, GNU long names, pax headers, header checksums). Every
 * failure of the archive becomes a {@link DatasetException} naming the archive and the byte where it happened.
 */
final class TarExtractor {
    private TarExtractor() {}

    /**
     * Extracts the members of {@code tar} (an uncompressed tar stream, not closed here) whose base names are in
     * {@code wanted} into {@code destDir}; returns the base names written. {@code archive} names the file in error
     * messages. Each member is written to {@code name.part} and renamed when complete.
     */
    static Set<String> extract(InputStream tar, Path destDir, Set<String> wanted, String archive) throws IOException {
        Set<String> written = new LinkedHashSet<>();
        @SuppressWarnings("resource")   // closing it would close the caller's stream
        TarArchiveInputStream in = new CheckedTarStream(tar);
        while (true) {
            long at = in.getBytesRead();
            TarArchiveEntry e;
            try {
                e = in.getNextEntry();
            } catch (IOException | IllegalArgumentException ex) {
                throw new DatasetException("tar archive " + archive + " has a corrupt header at byte " + at + " (" + ex.getMessage()
                        + "): download it again", ex);
            }
            if (e == null) return written;
            String base = baseName(e.getName());
            if (!e.isFile() || !wanted.contains(base)) continue;
            Path part = destDir.resolve(base + ".part");
            long copied;
            try (OutputStream out = Files.newOutputStream(part)) {
                copied = in.transferTo(out);
            } catch (IOException ex) {
                Files.deleteIfExists(part);
                if (ex instanceof java.nio.file.FileSystemException) throw ex;
                throw truncated(archive, in.getBytesRead(), ex);
            }
            if (copied != e.getSize()) {
                Files.deleteIfExists(part);
                throw truncated(archive, in.getBytesRead(), null);
            }
            Files.move(part, destDir.resolve(base), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            written.add(base);
        }
    }

    /**
     * Commons Compress checks a header's checksum only when it sniffs the format, not while reading; this verifies
     * every header record (all-zero end-of-archive records aside) with its own {@link TarUtils#verifyCheckSum}, so a
     * flipped bit in a name is an error rather than a member silently missing.
     */
    private static final class CheckedTarStream extends TarArchiveInputStream {
        CheckedTarStream(InputStream in) { super(in); }

        @Override protected byte[] readRecord() throws IOException {
            byte[] record = super.readRecord();
            if (record != null && !isEOFRecord(record) && !TarUtils.verifyCheckSum(record)) {
                throw new IOException("header checksum mismatch");
            }
            return record;
        }
    }

    private static String baseName(String name) {
        String n = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
        return n.substring(n.lastIndexOf('/') + 1);
    }

    private static DatasetException truncated(String archive, long at, Exception cause) {
        return new DatasetException("tar archive " + archive + " ends in the middle of a member at byte " + at + ": the archive is truncated", cause);
    }
}
