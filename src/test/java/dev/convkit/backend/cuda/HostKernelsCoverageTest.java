package dev.convkit.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The host kernel tests as a whole: every kernel the Java side launches has host cases, and the emulation stops a
 * run with a precise message on the faults it exists to catch (an access past a buffer, a shuffle over a partial
 * warp, an argument of the wrong kind).
 */
class HostKernelsCoverageTest {
    private static final Path TESTS = Path.of("src/test/java/dev/convkit/backend/cuda");
    private static final Pattern LAUNCHED = Pattern.compile("DeviceFunction\\.(\\w+)");

    @Test
    void everyLaunchedKernelHasHostCases() throws IOException {
        Set<String> covered = new TreeSet<>();
        List<Path> sources;
        try (Stream<Path> s = Files.list(TESTS)) {
            sources = s.filter(p -> p.getFileName().toString().matches("Host\\w+KernelsTest\\.java")).toList();
        }
        for (Path p : sources) {
            Matcher m = LAUNCHED.matcher(Files.readString(p));
            while (m.find()) covered.add(m.group(1));
        }
        Set<String> missing = new TreeSet<>();
        for (DeviceFunction f : DeviceFunction.values()) if (!covered.contains(f.name())) missing.add(f.name());
        assertEquals(Set.of(), missing, "DeviceFunctions without host kernel cases in " + TESTS + "/Host*KernelsTest.java");
    }

    @Test
    void readingPastTheEndOfABufferStopsTheRunNamingTheLaunchAndBuffer() {
        HostKernels.driver();
        HostRun run = new HostRun();
        HostRun.Buf src = run.floats(new float[100]), dst = run.floats(new float[101]);
        run.launch("one too many", DeviceFunction.SCALE_F32, 1, 256, dst, src, 2f, 101L);
        AssertionError e = assertThrows(AssertionError.class, run::execute);
        assertTrue(e.getMessage().contains("scale_f32 [one too many]") && e.getMessage().contains("byte 400 of buffer #0"),
                e.getMessage());
    }

    @Test
    void writingPastTheEndOfABufferStopsTheRun() {
        HostKernels.driver();
        HostRun run = new HostRun();
        HostRun.Buf src = run.floats(new float[8]), dst = run.floats(new float[7]);
        run.launch("dst short by one", DeviceFunction.SCALE_F32, 1, 32, dst, src, 2f, 8L);
        AssertionError e = assertThrows(AssertionError.class, run::execute);
        assertTrue(e.getMessage().contains("wrote outside buffer #1 (28 bytes): byte offset 28"), e.getMessage());
    }

    @Test
    void aFullMaskShuffleInAPartialWarpIsRejected() {
        HostKernels.driver();
        HostRun run = new HostRun();
        HostRun.Buf out = run.floats(new float[1]), src = run.floats(new float[100]);
        run.launch("block of 48", DeviceFunction.MEAN_F32, 1, 48, out, src, 100L);
        AssertionError e = assertThrows(AssertionError.class, run::execute);
        assertTrue(e.getMessage().contains("mask 0xffffffff in warp 1, which has only 16 threads"), e.getMessage());
    }

    @Test
    void argumentsAreCheckedAgainstTheSignature() {
        HostRun run = new HostRun();
        HostRun.Buf a = run.floats(new float[4]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> run.launch("int for a long", DeviceFunction.SCALE_F32, 1, 32, a, a, 1f, 4));
        assertTrue(e.getMessage().contains("scale_f32 argument 3 (L) must be a Long, got Integer"), e.getMessage());
    }
}
