package dev.convkit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What every fuzz target asserts about a reader of untrusted bytes (see the {@code *FuzzTest} classes):
 * <ul>
 *   <li>it returns, or throws one of its documented exception types with a non-blank message; anything else
 *       (NullPointerException, ArithmeticException, an undocumented IllegalArgumentException, OutOfMemoryError,
 *       StackOverflowError) is reported as a finding;</li>
 *   <li>it allocates no more than {@link #BASE_ALLOWANCE} + {@link #PER_INPUT_BYTE} x input bytes on the calling
 *       thread, so a header that announces 2^31 images is refused before anything of that size is allocated, whatever
 *       the heap size of the JVM running the test;</li>
 *   <li>it does not hang: each fuzz test carries a JUnit {@code @Timeout}, which Jazzer turns into libFuzzer's
 *       per-input {@code -timeout} when fuzzing.</li>
 * </ul>
 */
public final class FuzzChecks {
    private FuzzChecks() {}

    /** Class initialisation, 64 KiB stream buffers, 1 MiB read chunks and messages fit well below this. */
    public static final long BASE_ALLOWANCE = 48L << 20;
    /**
     * Per input byte: deflate expands one byte to at most ~1,032, and a reader may hold the data about twice while it
     * grows a buffer and copies it into the result.
     */
    public static final long PER_INPUT_BYTE = 4096;

    /** One read of untrusted bytes. */
    @FunctionalInterface
    public interface Read {
        void run() throws Exception;
    }

    /**
     * Runs {@code read} of {@code inputBytes} untrusted bytes and fails (AssertionError, a finding for Jazzer) unless it
     * returns or throws an instance of one of {@code documented} with a message, within the allocation allowance.
     */
    public static void check(long inputBytes, List<Class<? extends Throwable>> documented, Read read) {
        long allocated = measured(inputBytes, documented, read);
        long allowed = BASE_ALLOWANCE + PER_INPUT_BYTE * inputBytes;
        // A read that takes a path for the first time loads (and, fuzzing, instruments) classes: measure it again, and
        // judge what repeats, which is what the reader itself allocates.
        if (allocated > allowed) allocated = Math.min(allocated, measured(inputBytes, documented, read));
        if (allocated > allowed) {
            throw new AssertionError("reading " + inputBytes + " untrusted bytes allocated " + allocated + " bytes, more than the "
                    + allowed + " allowed: a size taken from the input was trusted before it was checked against the input's length");
        }
    }

    /** Runs {@code read}, checks how it ended, and returns the bytes it allocated on this thread. */
    private static long measured(long inputBytes, List<Class<? extends Throwable>> documented, Read read) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        try {
            read.run();
        } catch (Throwable t) {
            if (documented.stream().noneMatch(c -> c.isInstance(t))) {
                throw new AssertionError("undocumented " + t.getClass().getName() + " from a reader of " + inputBytes
                        + " untrusted bytes (documented: " + documented.stream().map(Class::getSimpleName).toList() + "): " + t.getMessage(), t);
            }
            if (t.getMessage() == null || t.getMessage().isBlank()) {
                throw new AssertionError(t.getClass().getName() + " without a message from a reader of " + inputBytes + " untrusted bytes", t);
            }
        }
        return mx.getCurrentThreadAllocatedBytes() - before;
    }

    /** Writes {@code bytes} to {@code dir/name}, replacing it: readers take files. */
    public static Path write(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The committed seed corpus of fuzz test {@code method} of {@code testClass}: where Jazzer looks for it
     * ({@code src/test/resources/<package>/<Class>Inputs/<method>/}, relative to the project root Maven runs tests in).
     */
    public static Path seedDir(Class<?> testClass, String method) {
        return Path.of("src", "test", "resources").resolve(testClass.getPackageName().replace('.', '/'))
                .resolve(testClass.getSimpleName() + "Inputs").resolve(method);
    }

    /**
     * With {@code -Dconvkit.fuzz.writeSeeds=true} writes {@code seeds} (file name to bytes) into the seed folder of
     * {@code method}; otherwise checks that each is committed there with exactly these bytes, so the corpus and its
     * generator stay one. Inputs Jazzer added (crash-*, regression cases) are left alone.
     */
    public static void syncSeeds(Class<?> testClass, String method, Map<String, byte[]> seeds) {
        Path dir = seedDir(testClass, method);
        boolean write = Boolean.getBoolean("convkit.fuzz.writeSeeds");
        try {
            if (write) Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> e : seeds.entrySet()) {
                Path file = dir.resolve(e.getKey());
                if (write) Files.write(file, e.getValue());
                else if (!Files.isRegularFile(file) || !Arrays.equals(Files.readAllBytes(file), e.getValue())) {
                    throw new AssertionError("seed " + file + " is missing or differs from what " + testClass.getSimpleName()
                            + " generates; regenerate the corpus with -Dconvkit.fuzz.writeSeeds=true (see README, Fuzzing)");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
