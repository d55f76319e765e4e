package dev.convkit.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * Crash-safe file replacement: a reader of {@code target} sees either the old complete file or the new complete
 * file, never a partial one, even if the process or the machine dies mid-write.
 *
 * <p>Steps: write to a temporary file in the same folder (so the rename stays on one file system), flush and fsync
 * it, rename it over the target with {@code ATOMIC_MOVE} + {@code REPLACE_EXISTING}, then fsync the folder so the
 * rename itself is durable. If anything fails, including the caller's writer throwing, the temporary file is
 * deleted and the old target is left untouched. A file system without atomic rename is an error, never a silent
 * fallback to a plain copy.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes the content of a file to a stream; the stream is buffered and closed by {@link AtomicFiles}. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Replaces (or creates) {@code target} with what {@code content} writes. */
    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null) throw new IOException("cannot write " + absolute + ": it has no parent folder");
        if (!Files.isDirectory(dir)) {
            throw new IOException("cannot write " + absolute + ": folder " + dir
                    + (Files.exists(dir) ? " is not a folder" : " does not exist") + "; create it first");
        }
        if (Files.isDirectory(absolute)) throw new IOException("cannot write " + absolute + ": a folder of that name exists");
        Path tmp;
        try {
            tmp = createTemp(dir, "." + absolute.getFileName() + ".");
        } catch (AccessDeniedException e) {
            throw new IOException("cannot write " + absolute + ": folder " + dir + " is not writable (access denied)", e);
        } catch (FileSystemException e) {
            throw new IOException("cannot write " + absolute + ": cannot create a temporary file in " + dir + " ("
                    + (e.getReason() == null ? e.getClass().getSimpleName() : e.getReason()) + ")", e);
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (Throwable failure) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException cleanup) {
                failure.addSuppressed(cleanup);
            }
            if (failure instanceof AtomicMoveNotSupportedException e) {
                throw new IOException("cannot write " + absolute + ": the file system of " + dir
                        + " does not support atomic rename, so the file cannot be replaced safely", e);
            }
            if (failure instanceof IOException e) {
                throw new IOException("cannot write " + absolute + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                        + "; " + freeSpace(dir) + "; " + (Files.exists(absolute) ? "the previous " + absolute.getFileName() + " is unchanged"
                        : "nothing was written"), e);
            }
            throw failure;
        }
        syncDirectory(dir);
    }

    /** "12.0 KiB free on the file system of DIR", or why that is unknown. */
    static String freeSpace(Path dir) {
        try {
            long free = Files.getFileStore(dir).getUsableSpace();
            return bytes(free) + " free on the file system of " + dir;
        } catch (IOException | SecurityException e) {
            return "the free space of " + dir + " is unknown (" + e.getMessage() + ")";
        }
    }

    private static String bytes(long b) {
        if (b < 1024) return b + " bytes";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Convenience: atomically writes {@code bytes}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /** Makes the rename durable. Windows cannot open a folder as a channel; NTFS journals the rename itself. */
    private static void syncDirectory(Path dir) throws IOException {
        if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) return;
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * A temporary file that ends up with the mode of any other new file (0644 under the usual umask 022):
     * {@link Files#createTempFile} alone makes it 0600, and the rename would keep that. rw-rw-rw- is asked for and
     * the process's umask takes away what it must, as for a file made by {@code Files.write}.
     */
    private static Path createTemp(Path dir, String prefix) throws IOException {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) return Files.createTempFile(dir, prefix, ".tmp");
        return Files.createTempFile(dir, prefix, ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-")));
    }
}
