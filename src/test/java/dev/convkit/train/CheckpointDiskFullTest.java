package dev.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convkit.io.HostTensor;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full disk while a checkpoint is written: the previous checkpoint survives, and the error names the file and the free space. */
class CheckpointDiskFullTest {

    /** A one-parameter checkpoint of {@code floats} values, all equal to {@code epochs}. */
    private static Checkpoint checkpoint(int epochs, int floats) {
        float[] w = new float[floats];
        java.util.Arrays.fill(w, epochs);
        Map<String, HostTensor> params = new LinkedHashMap<>();
        params.put("dense/kernel", HostTensor.of(w, floats));
        Checkpoint.Progress p = new Checkpoint.Progress(epochs, 10L * epochs, 0.1, Map.of("seed", 1L), Map.of(), new History());
        return new Checkpoint("toy", Map.of(), Map.of(), Optimizer.sgd(0.1, 0, false), "cpu", p, params, Map.of());
    }

    @Test
    void injectedWriteFailureKeepsThePreviousCheckpointAndNamesFileAndFreeSpace(@TempDir Path dir) throws IOException {
        checkpoint(1, 16).save(dir, Checkpoint.LATEST);
        byte[] before = Files.readAllBytes(dir.resolve("checkpoint.safetensors"));
        IOException e = assertThrows(IOException.class, () -> CheckpointFiles.save(dir, Checkpoint.LATEST, checkpoint(2, 4096),
                out -> new FilterOutputStream(out) {
                    long written;
                    @Override public void write(byte[] b, int off, int len) throws IOException {
                        if ((written += len) > 4000) throw new IOException("No space left on device");
                        out.write(b, off, len);
                    }
                }, () -> { }));
        String m = e.getMessage();
        assertTrue(m.startsWith("cannot write " + dir.resolve("checkpoint.safetensors").toAbsolutePath() + ": No space left on device; "), m);
        assertTrue(m.matches(".*; [0-9.]+ (bytes|KiB|MiB|GiB|TiB) free on the file system of .*"), m);
        assertTrue(m.endsWith("the previous checkpoint.safetensors is unchanged"), m);
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("checkpoint.safetensors")));
        assertEquals(1, Checkpoint.load(dir).progress().epochsCompleted());
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file is left behind");
        }
    }

    /** The same on a real 64 KiB tmpfs; needs root (mount), as CI and the developers' machines have. */
    @Test
    void realFullTmpfsKeepsThePreviousCheckpoint(@TempDir Path base) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "mounting a small tmpfs needs root; this JVM runs as " + System.getProperty("user.name"));
        Path mnt = Files.createDirectory(base.resolve("tiny"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt.toString()) == 0, "mount -t tmpfs is not permitted here");
        try {
            checkpoint(1, 1000).save(mnt, Checkpoint.LATEST);                      // ~4 KiB: fits
            IOException e = assertThrows(IOException.class, () -> checkpoint(2, 40_000).save(mnt, Checkpoint.LATEST));   // ~160 KiB: does not
            assertTrue(e.getMessage().contains("checkpoint.safetensors") && e.getMessage().contains(" free on the file system of "), e.getMessage());
            Checkpoint back = Checkpoint.load(mnt);
            assertEquals(1, back.progress().epochsCompleted());
            assertEquals(1000, back.parameters().get("dense/kernel").data().length);
        } finally {
            run("umount", mnt.toString());
        }
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }
}
