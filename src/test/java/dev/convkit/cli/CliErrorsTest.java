package dev.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad input ends in a one-paragraph message on stderr and a non-zero exit code, never a stack trace; nothing
 * here trains (the failures come before any engine starts), so the class runs in about a second.
 */
class CliErrorsTest {
    @TempDir Path tmp;

    /** Runs, then checks the exit code, that stderr holds every fragment, and that no stack trace leaked. */
    private static CliRun fails(int code, String[] args, String... fragments) {
        CliRun r = CliRun.of(args);
        assertEquals(code, r.exit(), r.transcript());
        for (String f : fragments) assertTrue(r.err().contains(f), "stderr lacks '" + f + "'\n" + r.transcript());
        assertFalse(r.err().contains("\tat "), "stack trace without --verbose\n" + r.transcript());
        assertFalse(r.err().contains("Exception"), "exception class name shown to the user\n" + r.transcript());
        return r;
    }

    private static String[] a(String... args) { return args; }

    @Test void unknownModelListsTheValidOnes() {
        fails(2, a("fit", "--model", "resnet21", "--dataset", "mnist"), "convkit fit: unknown model 'resnet21'; valid models: resnet20v1, ",
                "mnist_cnn", "y_network", "Run 'convkit fit --help'");
        fails(2, a("summary", "--model", "vgg17"), "unknown model 'vgg17'", "vgg16");
    }

    @Test void unknownDatasetOptimizerScheduleAndEngineListTheValidOnes() {
        fails(2, a("fit", "--model", "mnist_cnn", "--dataset", "svhn"), "unknown dataset 'svhn'; valid datasets: mnist, fashion_mnist, cifar10, cifar100");
        fails(2, a("fit", "--model", "mnist_cnn", "--optimizer", "adagrad"), "unknown optimizer 'adagrad'; valid optimizers: sgd, adam, rmsprop");
        fails(2, a("fit", "--model", "mnist_cnn", "--schedule", "linear"), "unknown learning-rate schedule 'linear'; valid schedules: constant, steps, cosine, onecycle");
        fails(2, a("fit", "--model", "mnist_cnn", "--engine", "tpu"),
                "unknown engine 'tpu'; valid engines: auto, ");
    }

    @Test void precisionNamesTheValidOnes() {
        fails(2, a("fit", "--model", "mnist_cnn", "--precision", "fp16"), "--precision: precision 'fp16' is not available",
                "the cpu engine has no fp16 kernels", "valid values: fp32 (float32), bf16 (mixed_bfloat16)");
        fails(2, a("fit", "--model", "mnist_cnn", "--precision", "int8"), "--precision: unknown precision 'int8'; valid values: fp32 (float32), bf16");
    }

    @Test void nonPositiveNumbersAreRejected() {
        fails(2, a("fit", "--model", "mnist_cnn", "--batch-size", "0"), "--batch-size must be a positive whole number, got 0");
        fails(2, a("fit", "--model", "mnist_cnn", "--epochs", "-3"), "--epochs must be a positive whole number, got -3");
        fails(2, a("fit", "--model", "mnist_cnn", "--lr", "0"), "--lr must be a positive number, got 0.0");
        fails(2, a("fit", "--model", "mnist_cnn", "--limit-train", "0"), "--limit-train must be a positive whole number, got 0");
        fails(2, a("fit", "--model", "mnist_cnn", "--epochs", "ten"), "Invalid value for option '--epochs': 'ten' is not an int");
        fails(2, a("fit", "--model", "mnist_cnn", "--optimizer", "adam", "--momentum", "0.9"), "--momentum applies to the sgd optimizer only");
    }

    @Test void missingRequiredChoicesSayWhatToGive() {
        fails(2, a("fit"), "--model is required");
        fails(2, a("fit", "--model", "mnist_cnn", "--no-recipe"), "--dataset is required: model 'mnist_cnn' has no recipe");
        fails(2, a("fit", "--model", "alexnet"), "--dataset is required: recipe ", "names none");
        fails(2, a("fit", "--recipe", "no_such_recipe"), "recipe 'no_such_recipe' not found");
        fails(2, a("fit", "--model", "alexnet", "--dataset", "mnist"),
                "cannot build model 'alexnet'", "at least 67x67, got (1, 28, 28)");
    }

    @Test void anUnwritableRunFolderIsRefused() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        fails(2, a("fit", "--model", "mnist_cnn", "--out", file.resolve("run").toString()), "cannot use ", "as the run folder", "choose a writable folder with --out");
    }

    @Test void anExistingRunIsNotOverwrittenSilently() throws IOException {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("checkpoint.json"), "{}");
        fails(2, a("fit", "--model", "mnist_cnn", "--out", run.toString()), "already holds a run", "--resume", "--overwrite");
    }

    @Test void missingDatasetFilesGiveTheDataLayersMessage() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        fails(1, a("fit", "--model", "resnet20v1", "--dataset", "cifar100", "--data-dir", empty.toString(), "--offline", "--out", tmp.resolve("r").toString()),
                "data set 'cifar100'", "train.bin", empty.toString());
    }

    @Test void resumeAndEvaluateNeedARunFolder() throws IOException {
        fails(2, a("fit", "--resume", tmp.toString()), "holds no checkpoint");
        fails(2, a("evaluate", "--checkpoint", tmp.resolve("nope").toString()), "no such folder");
        fails(2, a("evaluate", "--checkpoint", tmp.toString()), "holds no 'checkpoint' checkpoint");
        fails(2, a("fit", "--resume", tmp.toString(), "--batch-size", "64"), "--batch-size is not allowed with it");
    }

    @Test void unknownOptionsAndMissingCommandsAreUsageErrors() {
        fails(2, a("summary", "--model", "resnet20v1", "--epochs", "3"), "Unknown options: '--epochs', '3'");
        CliRun r = CliRun.of();
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("missing command") && r.err().contains("Usage: convkit"), r.transcript());
        fails(2, a("frobnicate"), "Unmatched argument at index 0: 'frobnicate'");
    }

    @Test void verboseAddsTheStackTrace() {
        CliRun r = CliRun.of("fit", "--model", "resnet21", "--verbose");
        assertEquals(2, r.exit());
        assertTrue(r.err().contains("unknown model 'resnet21'"), r.transcript());
        assertTrue(r.err().contains("\tat dev.convkit.cli."), "no stack trace with --verbose\n" + r.transcript());
    }

    @Test void everyCommandHasHelp() {
        for (String c : new String[] {"fit", "evaluate", "predict", "summary", "models"}) {
            CliRun r = CliRun.of(c, "--help");
            assertEquals(0, r.exit(), r.transcript());
            assertTrue(r.out().contains("Usage: convkit " + c), r.transcript());
        }
        CliRun fit = CliRun.of("fit", "--help");
        for (String o : new String[] {"--model", "--recipe", "--dataset", "--data-dir", "--epochs", "--batch-size", "--optimizer", "--lr", "--schedule",
                "--[no-]augment", "--[no-]subtract-pixel-mean", "--engine", "--threads", "--seed", "--out", "--resume", "--limit-train", "--limit-test",
                "--deterministic", "--verbose"}) {
            assertTrue(fit.out().contains(o), "fit --help lacks " + o + "\n" + fit.out());
        }
    }
}
