package dev.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.io.HostTensor;
import dev.convkit.onnx.ImportedModel;
import dev.convkit.onnx.OnnxImport;
import dev.convkit.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX commands on one tiny real run (mnist_cnn, 128 MNIST images, cpu engine): {@code export} writes the
 * checkpoint's exact weights, {@code summary --onnx} reads the file back, {@code fit --init-from} starts a new run
 * from it, and a file of another model is refused with the mismatches named.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OnnxCommandsTest {
    private Path tmp, run, onnx;

    private static String[] fit(Path out, String... extra) {
        String[] base = {"fit", "--model", "mnist_cnn", "--dataset", "mnist", "--epochs", "1", "--batch-size", "64", "--limit-train", "128",
                "--limit-test", "64", "--engine", "cpu", "--threads", "2", "--offline", "--progress", "off", "--out", out.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @BeforeAll void trainAndExport(@TempDir Path dir) {
        System.setProperty("java.awt.headless", "true");
        tmp = dir;
        run = tmp.resolve("mnist");
        onnx = tmp.resolve("mnist_cnn.onnx");
        CliRun fit = CliRun.of(fit(run));
        assertEquals(0, fit.exit(), fit.transcript());
    }

    @Test void exportWritesTheCheckpointsWeights() throws Exception {
        CliRun export = CliRun.of("export", "--checkpoint", run.toString(), "--out", onnx.toString(), "--softmax");
        assertEquals(0, export.exit(), export.transcript());
        assertTrue(export.out().contains("model mnist_cnn") && export.out().contains("80,266 parameters")
                && export.out().contains("input 'image' [N, 1, 28, 28], output 'logits' and 'probabilities'"), export.out());
        ImportedModel m = OnnxImport.read(onnx);
        Map<String, HostTensor> saved = Checkpoint.load(run).parameters();
        assertEquals(saved.keySet(), m.parameters().keySet());
        for (String name : saved.keySet()) assertArrayEquals(saved.get(name).data(), m.parameters().get(name), name);

        CliRun summary = CliRun.of("summary", "--onnx", onnx.toString());
        assertEquals(0, summary.exit(), summary.transcript());
        assertTrue(summary.out().contains("Total params: 80,266"), summary.out());

        CliRun init = CliRun.of(fit(tmp.resolve("from-onnx"), "--init-from", onnx.toString()));
        assertEquals(0, init.exit(), init.transcript());
        assertTrue(init.out().contains("initial weights: " + onnx + " (80,266 parameters)"), init.out());
    }

    @Test void initFromAnotherModelNamesTheMismatches() throws Exception {
        Path other = tmp.resolve("resnet.onnx");
        try (var in = getClass().getResourceAsStream("/onnx/resnet20v1_pytorch.onnx")) {
            Files.write(other, in.readAllBytes());
        }
        CliRun init = CliRun.of(fit(tmp.resolve("mismatch"), "--init-from", other.toString()));
        assertEquals(ExitCodes.USAGE, init.exit(), init.transcript());
        assertTrue(init.err().contains("does not hold the weights of model 'mnist_cnn'") && init.err().contains("'conv1/kernel' (64, 1, 3, 3) is missing"),
                init.err());
    }

    @Test void badOptionsAreUsageErrors() {
        CliRun both = CliRun.of("summary", "--onnx", "x.onnx", "--model", "mnist_cnn");
        assertEquals(ExitCodes.USAGE, both.exit(), both.transcript());
        CliRun none = CliRun.of("summary");
        assertEquals(ExitCodes.USAGE, none.exit(), none.transcript());
        assertTrue(none.err().contains("give --model NAME"), none.err());
        CliRun missing = CliRun.of("export", "--checkpoint", tmp.resolve("nothing").toString(), "--out", "x.onnx");
        assertEquals(ExitCodes.USAGE, missing.exit(), missing.transcript());
        CliRun notOnnx = CliRun.of("summary", "--onnx", run.resolve("log.csv").toString());
        assertEquals(ExitCodes.FAILURE, notOnnx.exit(), notOnnx.transcript());
        assertTrue(notOnnx.err().contains("is not an ONNX model"), notOnnx.err());
    }
}
