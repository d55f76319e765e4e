package dev.convkit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.convkit.io.HostTensor;
import dev.convkit.testing.FuzzChecks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing (Jazzer; README "Fuzzing") of {@link Checkpoint#load} on a run folder whose sidecar and
 * tensor file both come from the input: a 4-byte big-endian sidecar length L, L bytes of {@code checkpoint.json},
 * then {@code checkpoint.safetensors} (L is clamped to what is there). Every problem must be a
 * {@link CheckpointException} with a message.
 */
class CheckpointFuzzTest {
    @TempDir static Path dir;

    @FuzzTest
    @Timeout(10)
    void checkpoint(byte[] input) {
        int length = input.length < 4 ? 0 : (int) Math.min(ByteBuffer.wrap(input).getInt() & 0xffffffffL, input.length - 4);
        int start = Math.min(4, input.length);
        FuzzChecks.write(dir, "checkpoint.json", Arrays.copyOfRange(input, start, start + length));
        FuzzChecks.write(dir, "checkpoint.safetensors", Arrays.copyOfRange(input, start + length, input.length));
        FuzzChecks.check(input.length, List.of(CheckpointException.class), () -> Checkpoint.load(dir));
    }

    /** A checkpoint of a two-parameter model after one epoch, with SGD momentum slots. */
    private static Checkpoint toy(String model) {
        Map<String, HostTensor> params = new LinkedHashMap<>();
        params.put("dense/kernel", HostTensor.of(new float[] {1, 0.5f, -1.25f, 2, 3, 4}, 3, 2));
        params.put("dense/bias", HostTensor.of(new float[] {0.125f, -0.5f}, 2));
        Map<String, HostTensor> slots = new LinkedHashMap<>();
        slots.put("velocity/dense/kernel", HostTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
        slots.put("velocity/dense/bias", HostTensor.of(new float[] {-1, 1}, 2));
        History h = new History();
        h.add(EpochLogs.of(0, new Metrics(2.0, 0.5, 0.9, 60), null, 0.1, 1.5));
        // Ordered maps only (Map.of iterates in an order that changes between JVMs): the seeds must be reproducible.
        Map<String, Object> data = new LinkedHashMap<>(), plateau = new LinkedHashMap<>();
        data.put("seed", 42L);
        data.put("batch_size", 32);
        plateau.put("best", 1.5);
        plateau.put("wait", 1);
        Checkpoint.Progress p = new Checkpoint.Progress(1, 7, 0.1, data, Map.of("reduce_lr_on_plateau/val_loss", plateau), h);
        return new Checkpoint(model, Map.of("classes", 2), Map.of("dataset", "mnist"), Optimizer.sgd(0.1, 0.9, false), "cpu", p, params, slots);
    }

    private static byte[] pack(byte[] sidecar, byte[] tensors) {
        return ByteBuffer.allocate(4 + sidecar.length + tensors.length).putInt(sidecar.length).put(sidecar).put(tensors).array();
    }

    /** The seeds: a valid checkpoint and the damaged ones the loader must explain, committed as generated. */
    @Test
    void seedCorpus() throws IOException {
        Path run = Files.createDirectories(dir.resolve("seed-run")), other = Files.createDirectories(dir.resolve("seed-other"));
        toy("toy").save(run, Checkpoint.LATEST);
        toy("other_toy").save(other, Checkpoint.LATEST);
        byte[] side = Files.readAllBytes(run.resolve("checkpoint.json")), tensors = Files.readAllBytes(run.resolve("checkpoint.safetensors"));
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("valid", pack(side, tensors));
        seeds.put("corrupt-sidecar", pack("{\"format\": ".getBytes(StandardCharsets.UTF_8), tensors));
        seeds.put("truncated-tensors", pack(side, Arrays.copyOf(tensors, tensors.length - 20)));
        seeds.put("mixed-models", pack(side, Files.readAllBytes(other.resolve("checkpoint.safetensors"))));
        byte[] flipped = tensors.clone();
        flipped[flipped.length - 5] ^= 0x40;
        seeds.put("flipped-data-bit", pack(side, flipped));
        FuzzChecks.syncSeeds(getClass(), "checkpoint", seeds);

        Path check = Files.createDirectories(dir.resolve("seed-check"));
        Files.write(check.resolve("checkpoint.json"), "{\"format\": ".getBytes(StandardCharsets.UTF_8));
        Files.write(check.resolve("checkpoint.safetensors"), tensors);
        Checkpoint loaded = Checkpoint.load(check);  // the corrupt sidecar is bypassed: the tensor file describes itself
        assertEquals(List.of("toy", 1, 7L), List.of(loaded.modelName(), loaded.progress().epochsCompleted(), loaded.progress().optimizerSteps()));
        assertArrayEquals(new float[] {0.125f, -0.5f}, loaded.parameters().get("dense/bias").data());
    }
}
