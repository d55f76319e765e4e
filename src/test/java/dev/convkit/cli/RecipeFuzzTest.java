package dev.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.convkit.testing.FuzzChecks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing (Jazzer; README "Fuzzing") of recipe files through {@link Recipe#load}: every problem must
 * be a {@link CliException} naming the file, never a parser or arithmetic exception.
 */
class RecipeFuzzTest {
    @TempDir static Path dir;

    /** The input as a recipe file. */
    @FuzzTest
    @Timeout(10)
    void recipe(byte[] input) {
        Path file = FuzzChecks.write(dir, "recipe.json", input);
        FuzzChecks.check(input.length, List.of(CliException.class), () -> Recipe.load(file));
    }

    /** The seeds: a full recipe and near-valid ones, the full one checked to load, all committed as generated. */
    @Test
    void seedCorpus() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("full", utf8("""
                {"model": "resnet20v1", "title": "t", "seed": "s", "dataset": "cifar10", "epochs": 200, "batch_size": 32,
                 "optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "nesterov": true, "schedule": "steps", "warmup_epochs": 5,
                 "label_smoothing": 0.1, "reduce_lr_on_plateau": {"factor": 0.5, "patience": 5, "min_lr": 5e-7},
                 "augment": true, "augmentation": {"width_shift": 0.1, "height_shift": 0.1, "horizontal_flip": true, "pad_crop": 4},
                 "subtract_pixel_mean": true, "reported_accuracy": {"min": 0.91, "max": 0.92, "note": "n"}, "notes": ["a", "b"]}
                """));
        seeds.put("minimal", utf8("{\"model\": \"mnist_cnn\"}"));
        seeds.put("unknown-key", utf8("{\"model\": \"mnist_cnn\", \"epoch\": 3}"));
        seeds.put("wrong-type", utf8("{\"model\": \"mnist_cnn\", \"batch_size\": \"32\"}"));
        seeds.put("percent-accuracy", utf8("{\"model\": \"m\", \"reported_accuracy\": {\"min\": 91, \"max\": 92}}"));
        seeds.put("not-an-object", utf8("[\"model\"]"));
        FuzzChecks.syncSeeds(getClass(), "recipe", seeds);
        Recipe r = Recipe.load(FuzzChecks.write(dir, "seed.json", seeds.get("full")));
        assertEquals(List.of("resnet20v1", 200, 32, 4), List.of(r.model(), r.epochs(), r.batchSize(), r.augmentation().padCrop()));
    }

    private static byte[] utf8(String s) { return s.getBytes(StandardCharsets.UTF_8); }
}
