package dev.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.data.Augmentation;
import dev.convkit.data.Datasets;
import dev.convkit.io.Json;
import dev.convkit.io.JsonException;
import dev.convkit.models.ModelRegistry;
import dev.convkit.train.LearningRateSchedule;
import dev.convkit.train.Optimizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The recipes in models/: each parses, names a registered model and valid choices, and is listed in models/README.md. */
class RecipeTest {
    private static List<Path> recipeFiles() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("models"))) {
            return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test void everyRecipeIsValidAndDocumented() throws IOException {
        String readme = Files.readString(Path.of("models/README.md"));
        List<Path> files = recipeFiles();
        assertTrue(files.size() >= 13, "expected the seeds' recipes, found " + files);
        for (Path f : files) {
            Recipe r = Recipe.load(f);
            String stem = f.getFileName().toString().replaceFirst("\\.json$", "");
            assertTrue(stem.equals(r.model()) || stem.startsWith(r.model() + "_"), f + ": a recipe is named after its model (MODEL or MODEL_VARIANT)");
            assertTrue(ModelRegistry.names().contains(r.model()), r.model() + " is not a registered model");
            if (r.dataset() != null) assertTrue(Datasets.NAMES.contains(r.dataset()), f + ": dataset " + r.dataset());
            assertTrue(Optimizer.NAMES.contains(r.optimizer()), f + ": optimizer " + r.optimizer());
            assertTrue(LearningRateSchedule.NAMES.contains(r.schedule()), f + ": schedule " + r.schedule());
            assertTrue(r.epochs() > 0 && r.batchSize() > 0 && r.lr() > 0, f.toString());
            assertNotNull(r.seed(), f + " must say where its values come from");
            assertTrue(readme.contains("[`" + stem + "`](" + stem + ".json)"), "models/README.md does not list " + stem);
        }
        for (String seed : List.of("resnet20v1", "resnet56v1", "resnet110v1", "resnet29v2", "resnet56v2", "resnet110v2", "densenet_bc_100_k12",
                "mnist_cnn", "y_network", "vgg16", "resnet50", "alexnet")) {
            assertTrue(files.contains(Path.of("models", seed + ".json")), "missing recipe for " + seed);
        }
    }

    @Test void resnet20v1FastIsTheShortSgdRegime() {
        Recipe r = Recipe.load(Path.of("models/resnet20v1_fast.json"));
        assertEquals("resnet20v1", r.model());
        assertEquals(40, r.epochs());
        assertEquals(64, r.batchSize());
        assertEquals("sgd", r.optimizer());
        assertEquals(0.9, r.momentum());
        assertEquals(Boolean.TRUE, r.nesterov());
        assertEquals("cosine", r.schedule());
        assertEquals(2.0, r.warmupEpochs());
        assertEquals(0.1, r.labelSmoothing());
        assertEquals(0.999, r.emaMomentum());
    }

    @Test void badNewKeysAreNamed() {
        JsonException e = assertThrows(JsonException.class,
                () -> Recipe.parse(Map.of("model", "resnet20v1", "label_smoothing", 1.5), null));
        assertTrue(e.getMessage().contains("label_smoothing must be in [0, 1)"), e.getMessage());
        e = assertThrows(JsonException.class, () -> Recipe.parse(Map.of("model", "resnet20v1", "notes", 3L), null));
        assertTrue(e.getMessage().contains("'notes' must be a string or a list of strings"), e.getMessage());
    }

    @Test void weightDecayIsReadAndOutOfRangeValuesAreNamed() {
        assertEquals(5e-4, Recipe.parse(Map.of("model", "resnet20v1", "weight_decay", 5e-4), null).weightDecay());
        assertEquals(0.0, Recipe.parse(Map.of("model", "resnet20v1", "weight_decay", 0L), null).weightDecay());
        assertNull(Recipe.parse(Map.of("model", "resnet20v1"), null).weightDecay(), "absent: the flag or 0 applies");
        for (double bad : new double[] {-1e-4, 1.0, 3.0, Double.NaN}) {
            JsonException e = assertThrows(JsonException.class, () -> Recipe.parse(Map.of("model", "resnet20v1", "weight_decay", bad), null));
            assertEquals("weight_decay must be in [0, 1), got " + bad, e.getMessage());
        }
        JsonException e = assertThrows(JsonException.class, () -> Recipe.parse(Map.of("model", "resnet20v1", "weight_decay", "5e-4"), null));
        assertTrue(e.getMessage().contains("weight_decay"), e.getMessage());
    }

    @Test void resnet20v1HasTheKerasSeedsValues() {
        Recipe r = Recipe.load(Path.of("models/resnet20v1.json"));
        assertEquals("cifar10", r.dataset());
        assertEquals(200, r.epochs());
        assertEquals(32, r.batchSize());
        assertEquals("adam", r.optimizer());
        assertEquals(1e-3, r.lr());
        assertEquals("steps", r.schedule());
        assertEquals(new Recipe.Plateau(Math.sqrt(0.1), 5, 0.5e-6), r.plateau());
        assertEquals(Augmentation.shiftAndFlip(0.1), r.augmentation());
        assertTrue(r.augment() && r.subtractPixelMean());
        assertEquals(0.917, r.reportedAccuracy().min());
        assertEquals(0.922, r.reportedAccuracy().max());
        Recipe d = Recipe.load(Path.of("models/densenet_bc_100_k12.json"));
        assertEquals("rmsprop", d.optimizer());
        Recipe m = Recipe.load(Path.of("models/mnist_cnn.json"));
        assertEquals(List.of(128, 20, 0.993), List.of(m.batchSize(), m.epochs(), m.reportedAccuracy().min()));
        Recipe y = Recipe.load(Path.of("models/y_network.json"));
        assertEquals(List.of(32, 20, 0.994), List.of(y.batchSize(), y.epochs(), y.reportedAccuracy().min()));
        assertNull(Recipe.load(Path.of("models/resnet29v2.json")).reportedAccuracy(), "the seed reports no accuracy for ResNet29 v2");
    }

    @Test void typosAndPercentagesAreRejectedWithTheKey() {
        JsonException typo = assertThrows(JsonException.class, () -> Recipe.parse(Json.parseObject("{\"model\":\"m\",\"batchsize\":32}"), null));
        assertTrue(typo.getMessage().contains("unknown key 'batchsize'; valid keys: model, title, seed, dataset, epochs, batch_size"), typo.getMessage());
        JsonException pct = assertThrows(JsonException.class,
                () -> Recipe.parse(Json.parseObject("{\"model\":\"m\",\"reported_accuracy\":{\"min\":91.7,\"max\":92.2}}"), null));
        assertTrue(pct.getMessage().contains("fractions, not percent"), pct.getMessage());
        JsonException type = assertThrows(JsonException.class, () -> Recipe.parse(Json.parseObject("{\"model\":\"m\",\"epochs\":\"200\"}"), null));
        assertEquals("key 'epochs' must be an integer, found string 200", type.getMessage());
        JsonException aug = assertThrows(JsonException.class,
                () -> Recipe.parse(Json.parseObject("{\"model\":\"m\",\"augmentation\":{\"width_shift\":1.5}}"), null));
        assertTrue(aug.getMessage().startsWith("augmentation: shift ranges are fractions"), aug.getMessage());
    }
}
