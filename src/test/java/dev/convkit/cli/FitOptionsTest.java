package dev.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.data.Augmentation;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Parsing of {@code fit} and the merge of recipe defaults with flags (no training: only {@link FitCommand#resolve}). */
class FitOptionsTest {

    private static FitCommand parse(String... args) {
        CommandLine cmd = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        CommandLine.ParseResult pr = cmd.parseArgs(args);
        return (FitCommand) pr.subcommand().commandSpec().userObject();
    }

    @Test void theBriefsExampleParsesToExactlyItsValues() {
        FitCommand f = parse("fit", "--model", "resnet20v1", "--dataset", "cifar10", "--epochs", "200", "--batch-size", "32", "--optimizer", "adam",
                "--lr", "1e-3", "--augment", "--engine", "auto", "--out", "runs/r20");
        FitConfig c = f.resolve();
        assertEquals("resnet20v1", c.model());
        assertEquals("cifar10", c.dataset());
        assertEquals(200, c.epochs());
        assertEquals(32, c.batchSize());
        assertEquals("adam", c.optimizer());
        assertEquals(1e-3, c.lr());
        assertTrue(c.augment());
        assertEquals("auto", f.engine.engine);
        assertEquals(Path.of("runs/r20"), f.out);
        assertEquals(0.001, c.buildOptimizer().learningRate());
    }

    @Test void recipeGivesDefaultsAndFlagsOverrideThem() {
        FitConfig c = parse("fit", "--recipe", "models/resnet20v1.json", "--epochs", "3", "--batch-size", "8", "--no-augment").resolve();
        assertEquals("resnet20v1", c.model());
        assertEquals("cifar10", c.dataset());
        assertEquals(3, c.epochs(), "flag overrides the recipe's 200");
        assertEquals(8, c.batchSize(), "flag overrides the recipe's 32");
        assertFalse(c.augment(), "--no-augment overrides the recipe's augment=true");
        assertEquals(Augmentation.NONE, c.effectiveAugmentation());
        assertEquals("adam", c.optimizer());
        assertEquals(1e-3, c.lr());
        assertEquals("steps", c.schedule());
        assertTrue(c.subtractPixelMean());
        assertEquals(Math.sqrt(0.1), c.plateau().factor(), 1e-15);
        assertEquals(5, c.plateau().patience());
        assertEquals(0.5e-6, c.plateau().minLr(), 1e-18);
        assertEquals(Path.of("models/resnet20v1.json"), c.recipe());
    }

    @Test void aModelsOwnRecipeAppliesWithoutRecipeFlag() {
        FitConfig c = parse("fit", "--model", "densenet_bc_100_k12").resolve();
        assertEquals("rmsprop", c.optimizer());
        assertEquals(200, c.epochs());
        assertEquals("cifar10", c.dataset());
        assertTrue(c.augment());
        assertEquals(new Augmentation(0.1, 0.1, true, 0), c.effectiveAugmentation());
        assertFalse(c.subtractPixelMean());
    }

    @Test void recipeByModelNameAndAnotherModelOverride() {
        FitConfig c = parse("fit", "--recipe", "resnet20v1", "--model", "resnet56v1", "--optimizer", "sgd", "--momentum", "0.9", "--lr", "0.1").resolve();
        assertEquals("resnet56v1", c.model(), "--model overrides the recipe's model");
        assertEquals("sgd(lr=0.1, momentum=0.9, nesterov=false)", c.buildOptimizer().toString());
        assertEquals(200, c.epochs());
    }

    @Test void aRecipesAugmentationStaysWithItsDataset(@TempDir Path tmp) throws java.io.IOException {
        Path recipe = java.nio.file.Files.writeString(tmp.resolve("r.json"),
                "{\"model\": \"mnist_cnn\", \"dataset\": \"cifar10\", \"augment\": true, \"augmentation\": {\"width_shift\": 0.2, \"horizontal_flip\": true}}");
        FitConfig own = parse("fit", "--recipe", recipe.toString()).resolve();
        assertEquals(new Augmentation(0.2, 0, true, 0), own.effectiveAugmentation());
        FitConfig other = parse("fit", "--recipe", recipe.toString(), "--dataset", "mnist").resolve();
        assertTrue(other.augment(), "the recipe still asks for augmentation");
        assertEquals(new Augmentation(0.1, 0.1, false, 0), other.effectiveAugmentation(), "but on digits: MNIST's default, never mirrored");
    }

    @Test void aRecipesCutoutReachesThePipelineAndTheRunInfoAndOldRunsReadAsNone(@TempDir Path tmp) throws java.io.IOException {
        Path recipe = java.nio.file.Files.writeString(tmp.resolve("c.json"), "{\"model\": \"resnet20v1\", \"dataset\": \"cifar10\", "
                + "\"augment\": true, \"augmentation\": {\"width_shift\": 0.1, \"height_shift\": 0.1, \"horizontal_flip\": true, \"cutout\": 8}}");
        FitConfig c = parse("fit", "--recipe", recipe.toString()).resolve();
        assertEquals(Augmentation.shiftAndFlip(0.1).withCutout(8), c.effectiveAugmentation());
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) dev.convkit.io.Json.parse(dev.convkit.io.Json.write(c.toRunInfo()));
        assertEquals(c, FitConfig.fromRunInfo(back, Path.of("x")));
        @SuppressWarnings("unchecked")
        Map<String, Object> aug = new java.util.LinkedHashMap<>((Map<String, Object>) back.get("augmentation"));
        aug.remove("cutout");
        back.put("augmentation", aug);
        assertEquals(0, FitConfig.fromRunInfo(back, Path.of("x")).augmentation().cutout(), "a run folder from before the option");
        Path bad = java.nio.file.Files.writeString(tmp.resolve("bad.json"), "{\"model\": \"resnet20v1\", \"augmentation\": {\"cutout\": -8}}");
        CliException e = assertThrows(CliException.class, () -> parse("fit", "--recipe", bad.toString()).resolve());
        assertTrue(e.getMessage().contains("augmentation: cutout must be >= 0 (the square's side in pixels, 0 = off), got -8"), e.getMessage());
    }

    @Test void withoutRecipeTheBuiltInDefaultsHold() {
        FitConfig c = parse("fit", "--model", "mnist_cnn", "--dataset", "mnist", "--no-recipe").resolve();
        assertEquals(1, c.epochs());
        assertEquals(32, c.batchSize());
        assertEquals("adam", c.optimizer());
        assertTrue(Double.isNaN(c.lr()));
        assertEquals(1e-3, c.buildOptimizer().learningRate(), "Keras Adam default");
        assertEquals("constant", c.schedule());
        assertNull(c.plateau());
        assertFalse(c.augment());
        assertNull(c.recipe());
        assertEquals(new Augmentation(0.1, 0.1, false, 0), c.augmentation(), "digits are shifted, never mirrored");
    }

    @Test void plateauFlagTurnsTheRecipesCallbackOffOrTheKerasOneOn() {
        assertNull(parse("fit", "--model", "resnet20v1", "--no-reduce-lr-on-plateau").resolve().plateau());
        Recipe.Plateau p = parse("fit", "--model", "mnist_cnn", "--reduce-lr-on-plateau").resolve().plateau();
        assertEquals(new Recipe.Plateau(Math.sqrt(0.1), 5, 0.5e-6), p);
    }

    @Test void weightDecayComesFromTheRecipeOrTheFlagAndIsCheckedAndFixedOnResume(@TempDir Path tmp) throws java.io.IOException {
        assertEquals(0.0, parse("fit", "--model", "mnist_cnn", "--dataset", "mnist", "--no-recipe").resolve().weightDecay());
        assertEquals(5e-4, parse("fit", "--model", "mnist_cnn", "--dataset", "mnist", "--no-recipe", "--weight-decay", "5e-4").resolve().weightDecay());
        Path recipe = java.nio.file.Files.writeString(tmp.resolve("wd.json"), "{\"model\": \"mnist_cnn\", \"dataset\": \"mnist\", \"weight_decay\": 1e-3}");
        assertEquals(1e-3, parse("fit", "--recipe", recipe.toString()).resolve().weightDecay());
        assertEquals(2e-4, parse("fit", "--recipe", recipe.toString(), "--weight-decay", "2e-4").resolve().weightDecay(), "the flag overrides the recipe");
        for (String bad : new String[] {"-0.001", "1", "NaN"}) {
            CliException e = assertThrows(CliException.class,
                    () -> parse("fit", "--model", "mnist_cnn", "--dataset", "mnist", "--no-recipe", "--weight-decay", bad).resolve());
            assertEquals("--weight-decay must be in [0, 1), got " + Double.parseDouble(bad), e.getMessage());
        }
        CliException e = assertThrows(CliException.class, () -> parse("fit", "--resume", "runs/x", "--weight-decay", "1e-4").resumeOverrides());
        assertTrue(e.getMessage().contains("--weight-decay is not allowed with it"), e.getMessage());
    }

    @Test void emaComesFromTheRecipeOrTheFlagReachesTheOptimizerAndIsFixedOnResume(@TempDir Path tmp) throws java.io.IOException {
        FitConfig none = parse("fit", "--model", "mnist_cnn", "--dataset", "mnist", "--no-recipe").resolve();
        assertEquals(0.0, none.emaMomentum());
        assertEquals(0.0, none.buildOptimizer().emaMomentum());
        assertFalse(none.toRunInfo().containsKey("ema_momentum"), "0 is left out");
        FitConfig flag = parse("fit", "--model", "mnist_cnn", "--dataset", "mnist", "--no-recipe", "--optimizer", "sgd", "--ema", "0.999").resolve();
        assertEquals(0.999, flag.buildOptimizer().emaMomentum());
        Path recipe = java.nio.file.Files.writeString(tmp.resolve("ema.json"), "{\"model\": \"mnist_cnn\", \"dataset\": \"mnist\", \"ema_momentum\": 0.99}");
        assertEquals(0.99, parse("fit", "--recipe", recipe.toString()).resolve().emaMomentum());
        assertEquals(0.9, parse("fit", "--recipe", recipe.toString(), "--ema", "0.9").resolve().emaMomentum(), "the flag overrides the recipe");
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) dev.convkit.io.Json.parse(dev.convkit.io.Json.write(flag.toRunInfo()));
        assertEquals(flag, FitConfig.fromRunInfo(back, Path.of("x")));
        assertEquals(0.999, FitConfig.fromRunInfo(back, Path.of("x")).withEpochs(9).withDataDir(Path.of("d")).withPrecision("bf16").emaMomentum());
        CliException bad = assertThrows(CliException.class,
                () -> parse("fit", "--model", "mnist_cnn", "--dataset", "mnist", "--no-recipe", "--ema", "1").resolve());
        assertEquals("--ema must be in [0, 1) (0: no moving average), got 1.0", bad.getMessage());
        Path badRecipe = java.nio.file.Files.writeString(tmp.resolve("bad.json"), "{\"model\": \"mnist_cnn\", \"ema_momentum\": -0.5}");
        CliException e = assertThrows(CliException.class, () -> parse("fit", "--recipe", badRecipe.toString()).resolve());
        assertTrue(e.getMessage().contains("ema_momentum must be in [0, 1), got -0.5"), e.getMessage());
        e = assertThrows(CliException.class, () -> parse("fit", "--resume", "runs/x", "--ema", "0.99").resumeOverrides());
        assertTrue(e.getMessage().contains("--ema is not allowed with it"), e.getMessage());
    }

    @Test void weightDecayIsKeptInTheRunInfoAndOldRunsReadAsNone() {
        FitConfig c = parse("fit", "--model", "mnist_cnn", "--dataset", "mnist", "--no-recipe", "--weight-decay", "5e-4").resolve();
        Map<String, Object> info = c.toRunInfo();
        assertEquals(5e-4, info.get("weight_decay"));
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) dev.convkit.io.Json.parse(dev.convkit.io.Json.write(info));
        FitConfig read = FitConfig.fromRunInfo(back, Path.of("x"));
        assertEquals(c, read);
        assertEquals(5e-4, read.withEpochs(9).withDataDir(Path.of("d")).withPrecision("bf16").weightDecay(), "kept by every with*");
        Map<String, Object> old = new java.util.LinkedHashMap<>(back);
        old.remove("weight_decay");
        assertEquals(0.0, FitConfig.fromRunInfo(old, Path.of("x")).weightDecay(), "a run folder from before the option");
        FitConfig none = parse("fit", "--model", "mnist_cnn", "--dataset", "mnist", "--no-recipe").resolve();
        assertFalse(none.toRunInfo().containsKey("weight_decay"), "0 is left out, as label_smoothing");
    }

    @Test void runInfoRoundTripsThroughJson() {
        FitConfig c = parse("fit", "--model", "resnet20v1", "--epochs", "7", "--limit-train", "100", "--seed", "9").resolve();
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) dev.convkit.io.Json.parse(dev.convkit.io.Json.write(c.toRunInfo()));
        assertEquals(c, FitConfig.fromRunInfo(back, Path.of("x")));
        FitConfig plain = parse("fit", "--model", "mnist_cnn", "--dataset", "mnist", "--no-recipe").resolve();
        @SuppressWarnings("unchecked")
        Map<String, Object> back2 = (Map<String, Object>) dev.convkit.io.Json.parse(dev.convkit.io.Json.write(plain.toRunInfo()));
        FitConfig read = FitConfig.fromRunInfo(back2, Path.of("x"));
        assertTrue(Double.isNaN(read.lr()) && Double.isNaN(read.momentum()));
        assertEquals(plain.withEpochs(4).epochs(), read.withEpochs(4).epochs());
        assertEquals(plain.toRunInfo(), read.toRunInfo());
    }
}
