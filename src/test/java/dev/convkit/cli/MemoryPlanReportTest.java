package dev.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code summary --batch-size N}: the plan per arena, and, on two zoo models, that a real training step's peak resident
 * memory growth matches the planned total: planned ≤ measured ≤ planned + 10% + 64 MiB (the JVM's compiled code
 * and classes and oneDNN's kernels come on top of the arenas; measured 20-35 MiB on x86-64).
 */
class MemoryPlanReportTest {

    @Test void thePlanHasEveryArenaAndInferenceNeedsNoGradients() {
        CliRun r = CliRun.of("summary", "--model", "resnet20v1", "--batch-size", "32", "--engine", "cpu", "--optimizer", "sgd");
        assertEquals(0, r.exit(), r.transcript());
        String out = r.out();
        assertTrue(out.contains("Memory plan of resnet20v1, batch 32, sgd, engine cpu (planned before anything is allocated):"), out);
        // 274,442 parameter values of 4 bytes = 1.05 MiB; SGD without momentum keeps no state.
        assertTrue(Pattern.compile("(?m)^  parameters +1\\.05 MiB +1\\.05 MiB$").matcher(out).find(), out);
        assertTrue(Pattern.compile("(?m)^  gradients +1\\.04 MiB +-$").matcher(out).find(), out);
        for (String row : List.of("optimizer state", "activations", "saved for backward", "scratch", "inputs and outputs", "total")) {
            assertTrue(Pattern.compile("(?m)^  " + row + " +\\d+\\.\\d\\d MiB +(\\d+\\.\\d\\d MiB|-)$").matcher(out).find(), row + "\n" + out);
        }
        CliRun bad = CliRun.of("summary", "--model", "resnet20v1", "--measure");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("--measure needs --batch-size N"), bad.transcript());
    }

    @ParameterizedTest(name = "{0} batch {1}")
    @CsvSource({"mnist_cnn, 256", "resnet20v1, 128"})
    void aRealStepUsesWhatWasPlanned(String model, int batch) throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/status")), "needs Linux's /proc/self/status for the resident memory");
        // A JVM of its own with a fixed, pre-touched heap, so resident growth is the step's native memory.
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xms256m", "-Xmx256m",
                "-XX:+AlwaysPreTouch", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "summary", "--model", model,
                "--batch-size", Integer.toString(batch), "--engine", "cpu", "--measure").redirectErrorStream(true).start();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "summary --measure did not finish within 300 s");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        Matcher m = Pattern.compile("measured: one training step grew the peak resident memory by ([\\d.]+) MiB; planned ([\\d.]+) MiB").matcher(out);
        assertTrue(m.find(), out);
        double measured = Double.parseDouble(m.group(1)), planned = Double.parseDouble(m.group(2));
        System.out.printf(Locale.ROOT, "MemoryPlanReportTest: %s batch %d planned %.2f MiB, measured %.2f MiB%n", model, batch, planned, measured);
        assertTrue(measured >= planned && measured <= planned * 1.1 + 64, model + ": measured " + measured + " MiB vs planned " + planned + " MiB\n" + out);
    }
}
