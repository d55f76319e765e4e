package dev.convkit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    @TempDir Path dir;

    @Test
    void aFileGetsTheModeOfAnyOtherNewFileNotTheTemporaryFilesPrivateOne() throws IOException {
        assumeFalse(!dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "no POSIX permissions on this file system");
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
        Path atomic = dir.resolve("atomic.json");
        AtomicFiles.write(atomic, "x".getBytes(StandardCharsets.UTF_8));
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(atomic)), "same mode as Files.writeString's file (0644 under umask 022)");
        assertTrue(Files.getPosixFilePermissions(atomic).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ)
                || !Files.getPosixFilePermissions(plain).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ));
    }

    @Test
    void createsThenReplacesTheFile() throws IOException {
        Path f = dir.resolve("model.safetensors");
        AtomicFiles.write(f, "first".getBytes(StandardCharsets.UTF_8));
        assertEquals("first", Files.readString(f));
        AtomicFiles.write(f, out -> {
            out.write("second, ".getBytes(StandardCharsets.UTF_8));
            out.write("longer".getBytes(StandardCharsets.UTF_8));
        });
        assertEquals("second, longer", Files.readString(f));
        assertEquals(List.of(f), listing(), "no temporary file is left behind");
    }

    @Test
    void aFailingWriterLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("ckpt.json");
        byte[] old = "{\"epoch\": 3}".getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(f, old);
        IOException boom = new IOException("disk full (simulated)");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100_000]); // more than the buffer, so part of it reached the temporary file
            throw boom;
        }));
        assertSame(boom, thrown.getCause());
        assertTrue(thrown.getMessage().startsWith("cannot write " + f.toAbsolutePath() + ": disk full (simulated); "), thrown.getMessage());
        assertTrue(thrown.getMessage().endsWith(" free on the file system of " + dir.toAbsolutePath() + "; the previous ckpt.json is unchanged"),
                thrown.getMessage());
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of(f), listing());

        RuntimeException unchecked = new UncheckedIOException(new IOException("x"));
        assertSame(unchecked, assertThrows(RuntimeException.class, () -> AtomicFiles.write(f, out -> { throw unchecked; })));
        assertArrayEquals(old, Files.readAllBytes(f));
        assertEquals(List.of(f), listing());
    }

    @Test
    void aMissingFolderOrAFileInPlaceOfTheFolderGivesAClearMessage() throws IOException {
        Path missing = dir.resolve("no-such-dir").resolve("x.bin");
        IOException e1 = assertThrows(IOException.class, () -> AtomicFiles.write(missing, new byte[1]));
        assertEquals("cannot write " + missing + ": folder " + missing.getParent() + " does not exist; create it first", e1.getMessage());

        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Path under = file.resolve("x.bin");
        IOException e2 = assertThrows(IOException.class, () -> AtomicFiles.write(under, new byte[1]));
        assertEquals("cannot write " + under + ": folder " + file + " is not a folder; create it first", e2.getMessage());

        Path folder = Files.createDirectory(dir.resolve("taken"));
        IOException e3 = assertThrows(IOException.class, () -> AtomicFiles.write(folder, new byte[1]));
        assertTrue(e3.getMessage().contains("a folder of that name exists"), e3.getMessage());
    }

    @Test
    void anUnwritableFolderGivesAMessageNamingThePath() throws IOException {
        assumeFalse(System.getProperty("os.name").startsWith("Windows"), "POSIX permissions");
        Path ro = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            assumeFalse(Files.isWritable(ro), "running as root: permissions are not enforced");
            Path target = ro.resolve("x.bin");
            IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[1]));
            assertEquals("cannot write " + target + ": folder " + ro + " is not writable (access denied)", e.getMessage());
            assertFalse(Files.exists(target));
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
