package dev.convkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.convkit.testing.FuzzChecks;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Coverage-guided fuzzing of the data readers (Jazzer; README "Fuzzing"): IDX raw and gzip, CIFAR binary, and tar
 * extraction. Without JAZZER_FUZZ each target runs once per committed input in
 * {@code src/test/resources/dev/convkit/data/DataReadersFuzzTestInputs/<target>/}. The only documented failure of these
 * readers is a {@link DatasetException} with a message; the tar target also checks that nothing is written outside the
 * target folder.
 */
class DataReadersFuzzTest {
    private static final List<Class<? extends Throwable>> DOCUMENTED = List.of(DatasetException.class);
    /** What the CIFAR-10 archive's extraction asks for, plus "x": the name the traversal seeds aim at. */
    private static final Set<String> WANTED = Set.of("data_batch_1.bin", "test_batch.bin", "batches.meta.txt", "x");

    @TempDir static Path dir;

    /** Raw bytes as a file: raw IDX, or gzip when the fuzzer writes 1f 8b. Images and labels, whole and limited. */
    @FuzzTest
    @Timeout(10)
    void idx(byte[] input) {
        Path file = FuzzChecks.write(dir, "idx", input);
        FuzzChecks.check(input.length, DOCUMENTED, () -> IdxReader.readImages(file));
        FuzzChecks.check(input.length, DOCUMENTED, () -> IdxReader.readImages(file, 2));
        FuzzChecks.check(input.length, DOCUMENTED, () -> IdxReader.readLabels(file, 10));
        FuzzChecks.check(input.length, DOCUMENTED, () -> IdxReader.readLabels(file, 10, 2));
    }

    /**
     * The input gzip-compressed: the fuzzer explores the IDX layer behind a valid gzip stream, where the file size
     * says nothing about the data (a header announcing 2^31 images must still not allocate them).
     */
    @FuzzTest
    @Timeout(10)
    void idxGzip(byte[] input) {
        Path file = FuzzChecks.write(dir, "idx.gz", TestFiles.gzip(input));
        FuzzChecks.check(input.length, DOCUMENTED, () -> IdxReader.readImages(file));
        FuzzChecks.check(input.length, DOCUMENTED, () -> IdxReader.readImages(file, 2));
        FuzzChecks.check(input.length, DOCUMENTED, () -> IdxReader.readLabels(file, 100));
    }

    /**
     * Byte 0 picks the flavour (CIFAR-10, CIFAR-100 fine, coarse), the expected record count (any, 1, 2) and the limit
     * (none, 1); the rest is the file.
     */
    @FuzzTest
    @Timeout(10)
    void cifar(byte[] input) {
        if (input.length == 0) return;
        int b = input[0] & 0xff;
        CifarReader.Labels labels = CifarReader.Labels.values()[b % 3];
        int expected = b / 3 % 3;
        int limit = b / 9 % 2 == 0 ? Integer.MAX_VALUE : 1;
        Path file = FuzzChecks.write(dir, "cifar.bin", Arrays.copyOfRange(input, 1, input.length));
        FuzzChecks.check(input.length, DOCUMENTED, () -> CifarReader.read(file, labels, expected, limit));
    }

    /** The input as a tar stream; afterwards only wanted base names may exist, directly in the target folder. */
    @FuzzTest
    @Timeout(10)
    void tar(byte[] input) throws IOException {
        Path root = dir.resolve("tar"), target = root.resolve("a").resolve("target"), outside = root.resolve("outside");
        Files.createDirectories(target);
        Files.writeString(outside, "untouched");
        FuzzChecks.check(input.length, DOCUMENTED, () -> TarExtractor.extract(new ByteArrayInputStream(input), target, WANTED, "fuzz.tar"));
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                if (p.equals(root) || p.equals(root.resolve("a")) || p.equals(target)) continue;
                if (p.equals(outside)) {
                    if (!Files.readString(outside).equals("untouched")) throw new AssertionError("the archive overwrote " + outside);
                    continue;
                }
                String name = p.getFileName().toString();
                boolean allowed = p.getParent().equals(target) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                        && (WANTED.contains(name) || name.endsWith(".part") && WANTED.contains(name.substring(0, name.length() - 5)));
                if (!allowed) throw new AssertionError("extraction created " + p + " (target folder " + target + ", wanted " + WANTED + ")");
                Files.delete(p);
            }
        }
    }

    /** The seeds: valid and near-valid files of each kind, checked to read as built, and committed as generated. */
    @Test
    void seedCorpus() throws IOException {
        byte[] images = TestFiles.idxImages(3, 4, 5, TestFiles.pattern(60, 1));
        byte[] labels = TestFiles.idxLabels(7, 0, 9);
        Map<String, byte[]> idx = new LinkedHashMap<>();
        idx.put("valid-images", images);
        idx.put("valid-labels", labels);
        idx.put("valid-images-gzip", TestFiles.gzip(images));
        idx.put("truncated-images", Arrays.copyOf(images, 40));
        idx.put("huge-count-images", TestFiles.idxImages(0x7fffffff, 28, 28, new byte[8]));
        idx.put("huge-count-labels", TestFiles.idxLabels(1, 2));
        System.arraycopy(new byte[] {(byte) 0x80, 0, 0, 0}, 0, idx.get("huge-count-labels"), 4, 4);
        idx.put("huge-count-images-gzip", TestFiles.gzip(idx.get("huge-count-images")));
        FuzzChecks.syncSeeds(getClass(), "idx", idx);

        IdxImages read = IdxReader.readImages(FuzzChecks.write(dir, "seed", idx.get("valid-images-gzip")));
        assertEquals(List.of(3, 4, 5), List.of(read.count(), read.rows(), read.cols()));
        assertArrayEquals(TestFiles.pattern(60, 1), read.pixels());
        assertArrayEquals(new int[] {7, 0, 9}, IdxReader.readLabels(FuzzChecks.write(dir, "seed", labels), 10));

        Map<String, byte[]> idxGzip = new LinkedHashMap<>();
        idxGzip.put("valid-images", images);
        idxGzip.put("valid-labels", labels);
        idxGzip.put("huge-count-images", idx.get("huge-count-images"));
        idxGzip.put("huge-count-labels", idx.get("huge-count-labels"));
        FuzzChecks.syncSeeds(getClass(), "idxGzip", idxGzip);

        Map<String, byte[]> cifar = new LinkedHashMap<>();
        byte[] ten = TestFiles.cifarRecords(new int[][] {{3}, {9}});
        byte[] hundred = TestFiles.cifarRecords(new int[][] {{19, 99}});
        cifar.put("valid-cifar10", prefixed(3 * 2, ten));                 // CIFAR-10, 2 records expected
        cifar.put("valid-cifar100-fine", prefixed(1 + 3, hundred));       // fine, 1 record expected
        cifar.put("valid-cifar10-gzip-limit", prefixed(9, TestFiles.gzip(ten)));
        cifar.put("bad-label", prefixed(0, TestFiles.cifarRecords(new int[][] {{10}})));
        cifar.put("partial-record", prefixed(0, Arrays.copyOf(ten, 4000)));
        FuzzChecks.syncSeeds(getClass(), "cifar", cifar);
        CifarReader.Batch batch = CifarReader.read(FuzzChecks.write(dir, "seed", Arrays.copyOfRange(cifar.get("valid-cifar10"), 1, 6147)),
                CifarReader.Labels.CIFAR10, 2);
        assertArrayEquals(new int[] {3, 9}, batch.labels());

        Map<String, byte[]> tar = new LinkedHashMap<>();
        byte[] member = "seven bytes".getBytes(StandardCharsets.US_ASCII);
        tar.put("valid", archive(entry("cifar-10-batches-bin/data_batch_1.bin", '0', member, ""),
                entry("cifar-10-batches-bin/readme.html", '0', member, "")));
        tar.put("dot-dot", archive(entry("../../x", '0', member, "")));
        tar.put("absolute", archive(entry("/tmp/x", '0', member, "")));
        tar.put("symlink-then-file", archive(entry("x", '2', new byte[0], "../../outside"), entry("x", '0', member, "")));
        tar.put("gnu-long-name", archive(entry("././@LongLink", 'L', "../../../../x\0".getBytes(StandardCharsets.US_ASCII), ""),
                entry("short", '0', member, "")));
        tar.put("pax-path", archive(entry("PaxHeaders/x", 'x', "26 path=../test_batch.bin\n".getBytes(StandardCharsets.US_ASCII), ""),
                entry("short", '0', member, "")));
        tar.put("truncated", Arrays.copyOf(tar.get("valid"), 700));
        FuzzChecks.syncSeeds(getClass(), "tar", tar);
        Path target = Files.createDirectories(dir.resolve("seed-tar"));
        assertEquals(Set.of("data_batch_1.bin"), TarExtractor.extract(new ByteArrayInputStream(tar.get("valid")), target, WANTED, "valid"));
        assertArrayEquals(member, Files.readAllBytes(target.resolve("data_batch_1.bin")));
        assertEquals(Set.of("test_batch.bin"), TarExtractor.extract(new ByteArrayInputStream(tar.get("pax-path")), target, WANTED, "pax"));
    }

    private static byte[] prefixed(int control, byte[] file) {
        byte[] out = new byte[file.length + 1];
        out[0] = (byte) control;
        System.arraycopy(file, 0, out, 1, file.length);
        return out;
    }

    /** One ustar header of {@code type} plus its padded content. */
    private static byte[] entry(String name, char type, byte[] content, String link) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", content.length));
        put(h, 136, "00000000000");
        h[156] = (byte) type;
        put(h, 157, link);
        put(h, 257, "ustar");
        put(h, 263, "00");
        Arrays.fill(h, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : h) sum += b & 0xff;
        put(h, 148, String.format("%06o", sum));
        h[154] = 0;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(h);
        out.writeBytes(content);
        out.writeBytes(new byte[(512 - content.length % 512) % 512]);
        return out.toByteArray();
    }

    private static byte[] archive(byte[]... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] e : entries) out.writeBytes(e);
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
