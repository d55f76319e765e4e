package dev.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.convkit.backend.Backends;
import dev.convkit.io.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The life of a {@code fit} run around its epochs: every check before anything is created, Ctrl-C and SIGTERM in a
 * real child process, and what a resumed run with a new total does to its schedule.
 */
class FitLifecycleTest {
    @TempDir Path tmp;

    private static final String[] SMALL = {"--model", "mnist_cnn", "--dataset", "mnist", "--batch-size", "32", "--limit-train", "128",
            "--limit-test", "64", "--offline", "--progress", "off"};

    private static String[] args(String[] head, String... tail) {
        List<String> a = new ArrayList<>(List.of(head));
        a.addAll(List.of(SMALL));
        a.addAll(List.of(tail));
        return a.toArray(new String[0]);
    }

    /** Fails, creates no run folder and prints no banner. */
    private void refusedBeforeAnything(int code, String fragment, String... extra) {
        refusedWith(code, fragment, args(new String[] {"fit"}, extra));
    }

    private void refusedWith(int code, String fragment, String[] fullArgs) {
        Path out = tmp.resolve("run-" + Math.abs(fragment.hashCode()));
        List<String> a = new ArrayList<>(List.of(fullArgs));
        a.addAll(List.of("--out", out.toString()));
        CliRun r = CliRun.of(a.toArray(new String[0]));
        assertEquals(code, r.exit(), r.transcript());
        assertTrue(r.err().contains(fragment), "stderr lacks '" + fragment + "'\n" + r.transcript());
        assertFalse(Files.exists(out), "a run folder was left behind: " + out + "\n" + r.transcript());
        assertEquals("", r.out(), "printed before failing:\n" + r.transcript());
    }

    @Test void badOptionsEngineAndDataFailBeforeTheRunFolderIsMade() throws IOException {
        refusedBeforeAnything(2, "--threads must be 0 (all cores) or positive, got -3", "--threads", "-3", "--engine", "cpu");
        refusedBeforeAnything(2, "--data-dir " + tmp.resolve("nowhere").toAbsolutePath() + " is not a folder",
                "--data-dir", tmp.resolve("nowhere").toString(), "--engine", "cpu");
        // A count the engine's thread pool cannot take is found when the engine opens, which also comes first.
        refusedBeforeAnything(1, "cannot run on " + (Runtime.getRuntime().availableProcessors() + 1) + " threads",
                "--threads", Integer.toString(Runtime.getRuntime().availableProcessors() + 1), "--engine", "cpu");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        refusedWith(1, "data set 'cifar100'", new String[] {"fit", "--model", "resnet20v1", "--dataset", "cifar100", "--data-dir",
                empty.toString(), "--offline", "--engine", "cpu"});
    }

    @Test void anUnavailableEngineFailsBeforeTheRunFolderIsMade() {
        assumeFalse(Backends.provider("cuda").availability().available(), "the cuda engine is available here");
        refusedBeforeAnything(1, "engine 'cuda' is unavailable", "--engine", "cuda");
    }

    @Test void resumeWithMoreEpochsSaysHowTheCosineScheduleIsStretched() throws IOException {
        Path run = tmp.resolve("cos");
        CliRun first = CliRun.of(args(new String[] {"fit"}, "--schedule", "cosine", "--epochs", "1", "--engine", "cpu", "--out", run.toString()));
        assertEquals(0, first.exit(), first.transcript());
        CliRun more = CliRun.of("fit", "--resume", run.toString(), "--epochs", "2", "--engine", "cpu", "--offline", "--progress", "off");
        assertEquals(0, more.exit(), more.transcript());
        // 128 images in batches of 32: 4 steps per epoch, base rate 1e-3 (Adam). The 1-epoch cosine's last step (s = 3 of 4)
        // ran at 1e-3·(1 + cos(3π/4))/2 = 1.464e-4; the 2-epoch cosine starts epoch 2 at s = 4 of 8: 1e-3·(1 + cos(π/2))/2 = 5e-4.
        String expected = "schedule: cosine was planned over 1 epochs and is stretched over 2: the rate rises from 1.46e-04 (last step of epoch 1) "
                + "to 5.00e-04 at the start of epoch 2, then follows a 2-epoch cosine schedule to its end";
        assertTrue(more.out().contains(expected), "expected '" + expected + "'\n" + more.transcript());
        CliRun again = CliRun.of("fit", "--resume", run.toString(), "--epochs", "3", "--engine", "cpu", "--offline", "--progress", "off");
        assertEquals(0, again.exit(), again.transcript());
        assertTrue(again.out().contains("cosine was planned over 2 epochs and is stretched over 3"), again.transcript());
    }

    @Test void aConstantScheduleResumesWithoutAScheduleNote() throws IOException {
        Path run = tmp.resolve("const");
        assertEquals(0, CliRun.of(args(new String[] {"fit"}, "--epochs", "1", "--engine", "cpu", "--out", run.toString())).exit());
        CliRun more = CliRun.of("fit", "--resume", run.toString(), "--epochs", "2", "--engine", "cpu", "--offline", "--progress", "off");
        assertEquals(0, more.exit(), more.transcript());
        assertFalse(more.out().contains("schedule:"), more.transcript());
    }

    /** SIGTERM, what kill, Slurm and Kubernetes send, stops a run as Ctrl-C does, with exit status 143. */
    @ParameterizedTest(name = "SIG{0}")
    @ValueSource(strings = {"INT", "TERM"})
    void aSignalStopsAtAStepKeepsTheLastCheckpointDrawsThePlotsAndSaysHowToContinue(String signal) throws Exception {
        assumeFalse(signal.equals("INT") && sigintIgnored(), "SIGINT is ignored in this process (as in a job a shell without job"
                + " control started with &), so the child inherits that and no Ctrl-C can reach it");
        Path run = tmp.resolve("interrupted-" + signal);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        // As the convkit launcher: from JDK 22 on, JavaCPP's System.load otherwise prints a restricted-method warning.
        if (Runtime.version().feature() >= 22) cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "fit", "--model", "mnist_cnn", "--dataset", "mnist",
                "--epochs", "50", "--batch-size", "32", "--limit-train", "512", "--limit-test", "64", "--offline", "--progress", "bar",
                "--engine", "cpu", "--out", run.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(tmp.resolve("stdout").toFile()).redirectError(tmp.resolve("stderr").toFile());
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(run.resolve("checkpoint.json")) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(50);
            assertTrue(p.isAlive(), "the run ended before the first checkpoint: " + Files.readString(tmp.resolve("stderr")));
            Thread.sleep(300);                                     // into the next epoch's steps
            assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "no exit within 60 s of SIG" + signal);
        } finally {
            p.destroyForcibly();
        }
        String out = Files.readString(tmp.resolve("stdout"), StandardCharsets.UTF_8), err = Files.readString(tmp.resolve("stderr"));
        assertEquals(signal.equals("INT") ? 130 : 143, p.exitValue(), out + "\n--- stderr ---\n" + err);
        Matcher m = Pattern.compile("\nstopped in epoch (\\d+) of 50; (.+) keeps the checkpoint after epoch (\\d+); continue with: convkit fit --resume (.+)\n")
                .matcher(out);
        assertTrue(m.find(), "no stop line on a line of its own:\n" + out);
        int stoppedIn = Integer.parseInt(m.group(1)), kept = Integer.parseInt(m.group(3));
        assertEquals(stoppedIn - 1, kept);
        assertEquals(run.toString(), m.group(4));
        Map<String, Object> side = Json.parseObject(Files.readString(run.resolve("checkpoint.json")));
        assertEquals(kept, (int) Json.toLong(side.get("epochs_completed")), "the checkpoint is the last complete epoch's");
        assertEquals(kept + 1, Files.readAllLines(run.resolve("log.csv")).size(), "log.csv: header and one row per complete epoch");
        for (String png : new String[] {"loss.png", "accuracy.png"}) assertTrue(Files.size(run.resolve(png)) > 0, png);
        assertEquals("", err.strip(), "nothing on stderr after one SIG" + signal);
        // The printed command continues the run.
        CliRun resumed = CliRun.of("fit", "--resume", run.toString(), "--epochs", Integer.toString(kept + 1), "--engine", "cpu", "--offline",
                "--progress", "off");
        assertEquals(0, resumed.exit(), resumed.transcript());
        assertTrue(resumed.out().contains("resuming " + run + " after epoch " + kept + " of " + (kept + 1)), resumed.transcript());
    }

    @Test void aRunFolderOfCheckpointFormat1StillResumes() throws IOException {
        Path run = tmp.resolve("v1");
        assertEquals(0, CliRun.of(args(new String[] {"fit"}, "--epochs", "1", "--augment", "--engine", "cpu", "--out", run.toString())).exit());
        Path sidecar = run.resolve("checkpoint.json");
        Map<String, Object> v2 = Json.parseObject(Files.readString(sidecar));
        assertEquals(2L, v2.get("format_version"));
        assertEquals(1L, ((Map<?, ?>) ((List<?>) v2.get("history")).get(0)).get("epoch"), "epochs count from 1, as in log.csv");
        assertEquals(Map.of("width_shift", 0.1, "height_shift", 0.1, "horizontal_flip", false, "pad_crop", 0L), ((Map<?, ?>) v2.get("data")).get("augmentation"));
        // Format 1, as earlier releases wrote it: epochs from 0 and the augmentation as the record's text.
        String v1 = Files.readString(sidecar).replace("\"format_version\": 2", "\"format_version\": 1").replace("\"epoch\": 1,", "\"epoch\": 0,")
                .replaceAll("(\"drop_last\": (true|false),\\s*\"augmentation\": )\\{[^}]*\\}",
                        "$1\"Augmentation[widthShift=0.1, heightShift=0.1, horizontalFlip=false, padCrop=0]\"");
        assertTrue(v1.contains("\"epoch\": 0,") && v1.contains("horizontalFlip=false") && v1.contains("\"format_version\": 1"), v1);
        Files.writeString(sidecar, v1);
        CliRun more = CliRun.of("fit", "--resume", run.toString(), "--epochs", "2", "--engine", "cpu", "--offline", "--progress", "off");
        assertEquals(0, more.exit(), more.transcript());
        List<?> history = (List<?>) Json.parseObject(Files.readString(sidecar)).get("history");
        assertEquals(List.of(1L, 2L), history.stream().map(e -> ((Map<?, ?>) e).get("epoch")).toList());
    }

    /** Bit 2 (SIGINT) of SigIgn in /proc/self/status; false where there is no /proc. */
    private static boolean sigintIgnored() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) return false;
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << 1)) != 0;
        }
        return false;
    }

    @Test void theFirstSignalStopsTheSecondExitsAtOnce() {
        int[] calls = new int[2];
        List<Integer> codes = new ArrayList<>();
        try (Interrupts i = Interrupts.detached(() -> calls[0]++, code -> { calls[1]++; codes.add(code); })) {
            assertFalse(i.received());
            assertEquals(130, i.exitCode(), "before any signal");
            i.handle(Interrupts.SIGTERM);
            assertTrue(i.received());
            assertEquals(143, i.exitCode());
            assertEquals(1, calls[0]);
            assertEquals(0, calls[1]);
            i.handle(Interrupts.SIGINT);
            i.handle(Interrupts.SIGTERM);
            assertEquals(1, calls[0]);
            assertEquals(2, calls[1]);
            assertEquals(List.of(130, 143), codes, "a second signal exits with its own status");
            assertEquals(143, i.exitCode(), "the stop line's status stays the first signal's");
        }
    }
}
