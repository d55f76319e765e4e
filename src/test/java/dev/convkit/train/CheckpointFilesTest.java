package dev.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.io.HostTensor;
import dev.convkit.io.Json;
import dev.convkit.io.Safetensors;
import dev.convkit.io.SafetensorsFile;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk format and its crash safety, with checkpoints built by hand (no engine needed). */
class CheckpointFilesTest {

    /** A checkpoint of a two-parameter "model" after {@code epochs} epochs; values depend on the epoch count. */
    private static Checkpoint checkpoint(int epochs) {
        Map<String, HostTensor> params = new LinkedHashMap<>();
        params.put("dense/kernel", HostTensor.of(new float[] {epochs, 0.5f, -1.25f, 2, 3, 4}, 3, 2));
        params.put("dense/bias", HostTensor.of(new float[] {0.125f * epochs, -0.5f}, 2));
        Map<String, HostTensor> slots = new LinkedHashMap<>();
        slots.put("velocity/dense/kernel", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6 + epochs}, 3, 2));
        slots.put("velocity/dense/bias", HostTensor.of(new float[] {-1, epochs}, 2));
        History h = new History();
        for (int e = 0; e < epochs; e++) h.add(EpochLogs.of(e, new Metrics(2.0 / (e + 1), 0.5, 0.9, 60), null, 0.1, 1.5));
        Checkpoint.Progress p = new Checkpoint.Progress(epochs, 7L * epochs, 0.1 / epochs, Map.of("seed", 42L, "batch_size", 32),
                Map.of("reduce_lr_on_plateau/val_loss", Map.of("best", 1.5, "wait", 1, "cooldown_counter", 0)), h);
        return new Checkpoint("toy", Map.of("classes", 2), Map.of("dataset", "mnist"), Optimizer.sgd(0.1, 0.9, false), "cpu", p, params, slots);
    }

    private static void assertSame(Checkpoint expected, Checkpoint actual) {
        assertEquals(expected.modelName(), actual.modelName());
        assertEquals(expected.optimizer(), actual.optimizer());
        assertEquals(expected.progress().epochsCompleted(), actual.progress().epochsCompleted());
        assertEquals(expected.progress().optimizerSteps(), actual.progress().optimizerSteps());
        assertEquals(expected.progress().learningRate(), actual.progress().learningRate());
        assertEquals(expected.parameters().keySet(), actual.parameters().keySet());
        for (String k : expected.parameters().keySet()) {
            assertArrayEquals(expected.parameters().get(k).data(), actual.parameters().get(k).data(), k);
            assertEquals(expected.parameters().get(k).shape(), actual.parameters().get(k).shape(), k);
        }
        for (String k : expected.optimizerSlots().keySet()) {
            assertArrayEquals(expected.optimizerSlots().get(k).data(), actual.optimizerSlots().get(k).data(), k);
        }
    }

    @Test
    void roundTripKeepsEverythingAndUsesTheDocumentedLayout(@TempDir Path dir) throws IOException {
        Checkpoint c = checkpoint(3);
        c.save(dir, Checkpoint.LATEST);
        Checkpoint back = Checkpoint.load(dir);
        assertSame(c, back);
        assertEquals(Map.of("classes", 2L), back.modelConfig());
        assertEquals(Map.of("dataset", "mnist"), back.runInfo());
        assertEquals(42L, back.progress().data().get("seed"));
        assertEquals(3, back.progress().history().size());
        assertEquals(1.0, back.progress().history().epochs().get(1).get("loss"));
        assertEquals("cpu", back.engine());

        SafetensorsFile file = Safetensors.read(dir.resolve("checkpoint.safetensors"));
        assertEquals(List.of("dense/kernel", "dense/bias", "optimizer/velocity/dense/kernel", "optimizer/velocity/dense/bias"),
                List.copyOf(file.tensors().keySet()));
        Map<String, Object> side = Json.parseObject(Files.readString(dir.resolve("checkpoint.json")));
        assertEquals("convkit-checkpoint", side.get("format"));
        assertEquals(2L, side.get("format_version"));
        assertEquals(3L, side.get("epochs_completed"));
        @SuppressWarnings("unchecked") Map<String, Object> tensors = (Map<String, Object>) side.get("tensors");
        assertEquals(Files.size(dir.resolve("checkpoint.safetensors")), tensors.get("bytes"));
        assertEquals(64, ((String) tensors.get("sha256")).length());
    }

    /** A stream that fails once {@code limit} bytes went through: a crash in the middle of writing the tensors. */
    private static OutputStream failingAfter(OutputStream out, int limit) {
        return new FilterOutputStream(out) {
            int written;

            @Override public void write(int b) throws IOException {
                if (++written > limit) throw new IOException("simulated crash after " + limit + " bytes");
                super.out.write(b);
            }

            @Override public void write(byte[] b, int off, int len) throws IOException {
                for (int i = 0; i < len; i++) write(b[off + i]);
            }
        };
    }

    @Test
    void aWriteThatFailsMidTensorsLeavesThePreviousCheckpoint(@TempDir Path dir) throws IOException {
        Checkpoint first = checkpoint(1);
        first.save(dir, Checkpoint.LATEST);
        byte[] tensorsBefore = Files.readAllBytes(dir.resolve("checkpoint.safetensors"));
        byte[] sidecarBefore = Files.readAllBytes(dir.resolve("checkpoint.json"));
        IOException e = assertThrows(IOException.class,
                () -> CheckpointFiles.save(dir, Checkpoint.LATEST, checkpoint(2), out -> failingAfter(out, 100), () -> { }));
        assertEquals("simulated crash after 100 bytes", e.getCause().getMessage());
        assertTrue(e.getMessage().endsWith("the previous checkpoint.safetensors is unchanged"), e.getMessage());
        assertArrayEquals(tensorsBefore, Files.readAllBytes(dir.resolve("checkpoint.safetensors")));
        assertArrayEquals(sidecarBefore, Files.readAllBytes(dir.resolve("checkpoint.json")));
        assertSame(first, Checkpoint.load(dir));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("checkpoint.json", "checkpoint.safetensors"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file is left behind");
        }
    }

    @Test
    void aCrashBetweenTheTwoWritesLoadsTheNewerCompleteTensorFile(@TempDir Path dir) throws IOException {
        checkpoint(1).save(dir, Checkpoint.LATEST);
        Checkpoint second = checkpoint(2);
        assertThrows(IOException.class, () -> CheckpointFiles.save(dir, Checkpoint.LATEST, second, out -> out, () -> {
            throw new IOException("simulated crash before the sidecar");
        }));
        assertEquals(1L, Json.parseObject(Files.readString(dir.resolve("checkpoint.json"))).get("epochs_completed"), "old sidecar");
        assertSame(second, Checkpoint.load(dir));
    }

    @Test
    void aCorruptTensorFileIsRejectedWithBothHashes(@TempDir Path dir) throws IOException {
        checkpoint(2).save(dir, Checkpoint.LATEST);
        Path f = dir.resolve("checkpoint.safetensors");
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length - 3] ^= 0x40;                    // flip a bit in the last tensor's data
        Files.write(f, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertTrue(e.getMessage().startsWith("checkpoint 'checkpoint' in " + dir + " is inconsistent: checkpoint.json records "
                + bytes.length + " bytes with sha256 "), e.getMessage());
        assertTrue(e.getMessage().endsWith("and its own data hash does not match either; the tensor file is corrupt or was replaced by another file"
                + "; use the best checkpoint (--best, best.*) or a backup of the run folder"), e.getMessage());
    }

    @Test
    void missingFilesAreNamed(@TempDir Path dir) throws IOException {
        CheckpointException none = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertEquals("no checkpoint 'checkpoint' in " + dir + ": checkpoint.json is missing (a run folder holds checkpoint.json and "
                + "checkpoint.safetensors)", none.getMessage());
        checkpoint(1).save(dir, Checkpoint.BEST);
        Files.delete(dir.resolve("best.safetensors"));
        CheckpointException half = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir, Checkpoint.BEST));
        assertEquals("checkpoint 'best' in " + dir + " is incomplete: best.json exists but best.safetensors is missing; use the per-epoch "
                + "checkpoint (checkpoint.*, without --best) or a backup of the run folder", half.getMessage());
        Files.writeString(dir.resolve("x.json"), "{\"format\": \"other\", \"tensors\": {}}", StandardCharsets.UTF_8);
        Files.write(dir.resolve("x.safetensors"), Files.readAllBytes(dir.resolve("best.json")));
        CheckpointException notTensors = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir, "x"));
        assertTrue(notTensors.getMessage().startsWith("x.safetensors is corrupt: "), "a sidecar in place of the tensor file: " + notTensors.getMessage());
    }

    @Test
    void tensorFileNamesItsModelArchitectureEpochAndStep(@TempDir Path dir) throws IOException {
        checkpoint(3).save(dir, Checkpoint.LATEST);
        Map<String, String> meta = Safetensors.read(dir.resolve("checkpoint.safetensors")).metadata();
        assertEquals("toy", meta.get("convkit.model"));
        assertEquals("3", meta.get("convkit.epochs_completed"));
        assertEquals("21", meta.get("convkit.optimizer_steps"));
        // sha256 of "dense/kernel:3x2;dense/bias:2;" (the parameters only, not the optimizer slots)
        assertEquals(CheckpointIdentity.fingerprint(checkpoint(5).parameters()), meta.get("convkit.architecture_sha256"));
        assertEquals(64, meta.get("convkit.architecture_sha256").length());
    }

    @Test
    void anotherModelsTensorFileNextToTheSidecarIsRefusedNamingBoth(@TempDir Path dir) throws IOException {
        Path other = Files.createDirectories(dir.resolve("other"));
        checkpoint(2).save(dir, Checkpoint.LATEST);
        Map<String, HostTensor> params = new LinkedHashMap<>();
        params.put("conv/kernel", HostTensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2));
        Checkpoint.Progress p = new Checkpoint.Progress(4, 40, 0.01, Map.of("seed", 1L), Map.of(), new History());
        new Checkpoint("mnist_resnet", Map.of(), Map.of(), Optimizer.sgd(0.1, 0, false), "cpu", p, params, Map.of()).save(other, Checkpoint.LATEST);
        Files.copy(other.resolve("checkpoint.safetensors"), dir.resolve("checkpoint.safetensors"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertTrue(e.getMessage().contains("mixes two models") && e.getMessage().contains("'toy'") && e.getMessage().contains("'mnist_resnet'"),
                e.getMessage());
    }

    @Test
    void truncatedTensorFileSaysSoWithByteCountsAndPointsToBest(@TempDir Path dir) throws IOException {
        checkpoint(2).save(dir, Checkpoint.LATEST);
        Path f = dir.resolve("checkpoint.safetensors");
        byte[] all = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(all, all.length - 10));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertTrue(e.getMessage().startsWith(String.format(java.util.Locale.ROOT, "checkpoint.safetensors is truncated: %,d of %,d bytes",
                all.length - 10, all.length)), e.getMessage());
        assertTrue(e.getMessage().contains("--best"), e.getMessage());
        Files.write(f, java.util.Arrays.copyOf(all, 12));
        e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertTrue(e.getMessage().startsWith("checkpoint.safetensors is truncated: 12 of "), e.getMessage());
    }

    @Test
    void corruptTensorHeaderIsReportedAsCorruptNotAsParserInternals(@TempDir Path dir) throws IOException {
        checkpoint(2).save(dir, Checkpoint.LATEST);
        Path f = dir.resolve("checkpoint.safetensors");
        byte[] all = Files.readAllBytes(f);
        String text = new String(all, StandardCharsets.ISO_8859_1).replace("\"dtype\"", "\"dtypX\"");
        Files.write(f, text.getBytes(StandardCharsets.ISO_8859_1));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(dir));
        assertTrue(e.getMessage().startsWith("checkpoint.safetensors is corrupt: "), e.getMessage());
        assertTrue(e.getMessage().contains("--best"), e.getMessage());
    }

    @Test
    void corruptSidecarIsBypassedWhenTheTensorFileDescribesItself(@TempDir Path dir) throws IOException {
        Checkpoint c = checkpoint(3);
        c.save(dir, Checkpoint.BEST);
        Files.writeString(dir.resolve("best.json"), "{\"format\": \"convkit-checkpoint\", trailing garbage");
        assertSame(c, Checkpoint.load(dir, Checkpoint.BEST));
    }
}
