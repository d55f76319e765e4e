package dev.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Backends;
import dev.convkit.tensor.DType;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One tiny real run on the cpu engine: {@code fit} of mnist_cnn on the first 256 MNIST training images of data/mnist
 * for one epoch (a few seconds), then evaluate, predict, resume and the failures that need a trained run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FitEndToEndTest {
    private Path tmp;
    private Path run;
    private CliRun fit;

    @BeforeAll void trainOnce(@TempDir Path dir) {
        System.setProperty("java.awt.headless", "true");
        tmp = dir;
        run = tmp.resolve("mnist");
        fit = CliRun.of("fit", "--model", "mnist_cnn", "--dataset", "mnist", "--epochs", "1", "--batch-size", "64", "--limit-train", "256",
                "--limit-test", "128", "--engine", "cpu", "--threads", "2", "--offline", "--progress", "lines", "--out", run.toString());
    }

    private static double csvValue(String csv, int row, String column) {
        String[] lines = csv.split("\n");
        int col = List.of(lines[0].split(",")).indexOf(column);
        return Double.parseDouble(lines[row].split(",")[col]);
    }

    @Test void fitWritesCheckpointLogAndPlots() throws IOException {
        assertEquals(0, fit.exit(), fit.transcript());
        assertTrue(fit.out().contains("engine: cpu ("), fit.out());
        assertTrue(fit.out().contains("data: mnist, 256 training and 128 test images of (1, 28, 28), 10 classes"), fit.out());
        assertTrue(fit.out().contains("model: mnist_cnn, 80,266 parameters"), fit.out());
        assertTrue(Pattern.compile("(?m)^Epoch 1/1 - \\d+s - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4} - val_loss: \\d\\.\\d{4} - val_accuracy: "
                + "\\d\\.\\d{4} - lr: 1\\.0e-03$").matcher(fit.out()).find(), fit.out());
        assertFalse(fit.out().contains("\r"), "no carriage returns in lines mode");
        for (String f : new String[] {"checkpoint.safetensors", "checkpoint.json", "best.safetensors", "best.json", "log.csv", "loss.png", "accuracy.png"}) {
            assertTrue(Files.size(run.resolve(f)) > 0, f + " missing or empty");
        }
        String csv = Files.readString(run.resolve("log.csv"));
        assertEquals(2, csv.split("\n").length, csv);
        assertTrue(csv.startsWith("epoch,loss,accuracy,"), csv);
        double loss = csvValue(csv, 1, "loss");
        assertTrue(loss > 0.1 && loss < 2.5, "first-epoch loss of 10 classes starts near ln 10 = 2.3: " + loss);
        for (String png : new String[] {"loss.png", "accuracy.png"}) {
            BufferedImage img = ImageIO.read(run.resolve(png).toFile());
            assertEquals(900, img.getWidth());
            assertEquals(560, img.getHeight());
        }
        // The printed test accuracy is the logged val_accuracy.
        Matcher m = Pattern.compile("test accuracy after 1 epoch: (\\d\\.\\d{4})").matcher(fit.out());
        assertTrue(m.find(), fit.out());
        assertEquals(String.format(Locale.ROOT, "%.4f", csvValue(csv, 1, "val_accuracy")), m.group(1));
    }

    @Test void evaluateReproducesTheValidationOfTheLastEpoch() throws IOException {
        CliRun ev = CliRun.of("evaluate", "--checkpoint", run.toString(), "--limit-test", "128", "--engine", "cpu");
        assertEquals(0, ev.exit(), ev.transcript());
        String csv = Files.readString(run.resolve("log.csv"));
        String expected = String.format(Locale.ROOT, "mnist test, 128 images: loss: %.4f - accuracy: %.4f", csvValue(csv, 1, "val_loss"),
                csvValue(csv, 1, "val_accuracy"));
        assertTrue(ev.out().contains(expected), "expected '" + expected + "'\n" + ev.transcript());
    }

    /**
     * A run recorded as trained in bf16 (this fp32 run's folder copied with "precision": "bf16" in its run record; the
     * weights are the same under both policies) is evaluated in bf16 unless --precision says otherwise, or in fp32
     * with the reason on an engine without bf16.
     */
    @Test void evaluateRunsUnderTheRunsOwnPrecision() throws IOException {
        Path bf16Run = tmp.resolve("recorded-bf16");
        Files.createDirectories(bf16Run);
        try (var files = Files.list(run)) {
            for (Path f : files.toList()) Files.copy(f, bf16Run.resolve(f.getFileName()));
        }
        for (String json : new String[] {"checkpoint.json", "best.json"}) {
            Path f = bf16Run.resolve(json);
            String text = Files.readString(f);
            String patched = text.replaceFirst("\"precision\"\\s*:\\s*\"fp32\"", "\"precision\": \"bf16\"");
            assertNotEquals(text, patched, json + " records no fp32 precision to change");
            Files.writeString(f, patched);
        }
        CliRun ev = CliRun.of("evaluate", "--checkpoint", bf16Run.toString(), "--limit-test", "128", "--engine", "cpu");
        assertEquals(0, ev.exit(), ev.transcript());
        String bf16Missing;
        try (Backend cpu = Backends.open("cpu", BackendOptions.defaults())) {
            bf16Missing = cpu.unsupportedType(DType.BF16);
        }
        String said = bf16Missing == null ? "precision: mixed_bfloat16, as the run was trained (--precision fp32 for float32)"
                : "precision: float32: the run was trained in bf16 but " + bf16Missing;
        assertTrue(ev.out().contains(said), "expected '" + said + "'\n" + ev.transcript());
        CliRun fp32 = CliRun.of("evaluate", "--checkpoint", bf16Run.toString(), "--limit-test", "128", "--engine", "cpu",
                "--precision", "fp32");
        assertEquals(0, fp32.exit(), fp32.transcript());
        assertFalse(fp32.out().contains("precision:"), fp32.transcript());
        String csv = Files.readString(run.resolve("log.csv"));
        assertTrue(fp32.out().contains(String.format(Locale.ROOT, "accuracy: %.4f", csvValue(csv, 1, "val_accuracy"))),
                "--precision fp32 on the copied fp32 weights reproduces the fp32 run\n" + fp32.transcript());
    }

    @Test void predictPrintsClassesAndComparesWithTheLabels() {
        CliRun p = CliRun.of("predict", "--checkpoint", run.toString(), "--input", "data/mnist/t10k-images-idx3-ubyte.gz", "--count", "5",
                "--engine", "cpu");
        assertEquals(0, p.exit(), p.transcript());
        // The first MNIST test labels are 7 2 1 0 4.
        String[] labels = {"7", "2", "1", "0", "4"};
        for (int i = 0; i < 5; i++) {
            assertTrue(Pattern.compile("(?m)^image " + i + ": \\d \\(p 0\\.\\d{4}\\) - label " + labels[i] + " - (correct|wrong)$").matcher(p.out()).find(),
                    "image " + i + "\n" + p.out());
        }
        assertTrue(Pattern.compile("(?m)^\\d of 5 correct \\(accuracy \\d\\.\\d{4}\\)$").matcher(p.out()).find(), p.out());
        // By index into the run's test split: records 2 and 3 are labelled 1 and 0, and get the same predictions as from the file.
        CliRun byIndex = CliRun.of("predict", "--checkpoint", run.toString(), "--input", "2", "--count", "2", "--engine", "cpu");
        assertEquals(0, byIndex.exit(), byIndex.transcript());
        String fromFile2 = line(p.out(), "image 2: "), fromFile3 = line(p.out(), "image 3: ");
        assertEquals(fromFile2.substring("image 2: ".length()), line(byIndex.out(), "image 0: ").substring("image 0: ".length()));
        assertEquals(fromFile3.substring("image 3: ".length()), line(byIndex.out(), "image 1: ").substring("image 1: ".length()));
    }

    private static String line(String text, String prefix) {
        return text.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError("no line '" + prefix + "' in\n" + text));
    }

    @Test void anInputThatIsNotIdxSaysWhatMagicNumberItLacks() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.txt"), "not images");
        CliRun p = CliRun.of("predict", "--checkpoint", run.toString(), "--input", text.toString(), "--engine", "cpu");
        assertEquals(2, p.exit(), p.transcript());
        assertTrue(p.err().contains("is not an IDX image file (it does not start with the IDX image magic number 0x00000803)"), p.transcript());
    }

    @Test void aCheckpointOfAnotherModelIsRefused() {
        CliRun ev = CliRun.of("evaluate", "--checkpoint", run.toString(), "--model", "mnist_resnet", "--engine", "cpu");
        assertEquals(1, ev.exit(), ev.transcript());
        assertTrue(ev.err().contains("the checkpoint holds model 'mnist_cnn'") && ev.err().contains("not model 'mnist_resnet'"), ev.transcript());
        assertFalse(ev.err().contains("\tat "), ev.transcript());
    }

    @Test void resumeContinuesTheRunForOneMoreEpoch() throws IOException {
        Path copy = tmp.resolve("resumed");
        Files.createDirectories(copy);
        for (String f : new String[] {"checkpoint.safetensors", "checkpoint.json", "log.csv"}) Files.copy(run.resolve(f), copy.resolve(f));
        CliRun same = CliRun.of("fit", "--resume", copy.toString(), "--engine", "cpu");
        assertEquals(2, same.exit(), same.transcript());
        assertTrue(same.err().contains("has already completed 1 of 1 epochs; pass --epochs N with N > 1"), same.transcript());
        CliRun r = CliRun.of("fit", "--resume", copy.toString(), "--epochs", "2", "--engine", "cpu", "--offline", "--progress", "off");
        assertEquals(0, r.exit(), r.transcript());
        assertTrue(r.out().contains("resuming " + copy + " after epoch 1 of 2"), r.out());
        assertTrue(Pattern.compile("(?m)^Epoch 2/2 - ").matcher(r.out()).find(), r.out());
        String csv = Files.readString(copy.resolve("log.csv"));
        assertEquals(3, csv.split("\n").length, csv);
        assertEquals(Files.readString(run.resolve("log.csv")).split("\n")[1], csv.split("\n")[1], "epoch 1's row is kept as it was");
    }

    @Test void aDivergingRunStopsWithTheNaNMessage() {
        CliRun r = CliRun.of("fit", "--model", "mnist_cnn", "--dataset", "mnist", "--optimizer", "sgd", "--lr", "1e12", "--epochs", "1",
                "--batch-size", "32", "--limit-train", "64", "--limit-test", "32", "--engine", "cpu", "--offline", "--progress", "off",
                "--out", tmp.resolve("nan").toString());
        assertEquals(1, r.exit(), r.transcript());
        assertTrue(r.err().contains("NaN") || r.err().contains("infinite"), r.transcript());
        assertFalse(r.err().contains("\tat "), r.transcript());
        assertEquals(1, r.err().strip().split("\n").length, "one paragraph:\n" + r.err());
    }
}
