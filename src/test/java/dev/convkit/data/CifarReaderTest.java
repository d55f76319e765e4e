package dev.convkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CifarReader on the real CIFAR-10 (when ../shared/data has it) and on small generated CIFAR-10/100 files. */
class CifarReaderTest {

    @TempDir Path dir;

    private static final Path CIFAR10 = TestFiles.SHARED_DATA.resolve("cifar-10");

    @Test
    void realCifar10FirstLabelsOfTrainAndTest() {
        assumeTrue(Files.isDirectory(CIFAR10), "CIFAR-10 not present at " + CIFAR10.toAbsolutePath());
        CifarReader.Batch train = CifarReader.read(CIFAR10.resolve("data_batch_1.bin.gz"), CifarReader.Labels.CIFAR10, 10_000, 10);
        assertArrayEquals(new int[] {6, 9, 9, 4, 1, 1, 2, 7, 8, 3}, train.labels());
        assertEquals(10 * 3072, train.pixels().length);
        CifarReader.Batch test = CifarReader.read(CIFAR10.resolve("test_batch.bin.gz"), CifarReader.Labels.CIFAR10, 10_000, 10);
        assertArrayEquals(new int[] {3, 8, 8, 0, 6, 6, 1, 6, 3, 1}, test.labels());
    }

    @Test
    void realCifar10TrainHas5000PerClass() {
        assumeTrue(Files.isDirectory(CIFAR10), "CIFAR-10 not present at " + CIFAR10.toAbsolutePath());
        int[] counts = new int[10];
        int[][] perBatch = {
                {1005, 974, 1032, 1016, 999, 937, 1030, 1001, 1025, 981},
                {984, 1007, 1010, 995, 1010, 988, 1008, 1026, 987, 985},
                {994, 1042, 965, 997, 990, 1029, 978, 1015, 961, 1029},
                {1003, 963, 1041, 976, 1004, 1021, 1004, 981, 1024, 983},
                {1014, 1014, 952, 1016, 997, 1025, 980, 977, 1003, 1022}};
        for (int b = 1; b <= 5; b++) {
            CifarReader.Batch batch = CifarReader.read(CIFAR10.resolve("data_batch_" + b + ".bin.gz"), CifarReader.Labels.CIFAR10, 10_000);
            assertEquals(10_000, batch.count());
            int[] c = new int[10];
            for (int l : batch.labels()) c[l]++;
            assertArrayEquals(perBatch[b - 1], c, "data_batch_" + b);
            for (int k = 0; k < 10; k++) counts[k] += c[k];
        }
        int[] fiveThousand = new int[10];
        Arrays.fill(fiveThousand, 5000);
        assertArrayEquals(fiveThousand, counts);
    }

    @Test
    void realCifar10ThroughDatasetsHasNamesAndScaledPixels() {
        assumeTrue(Files.isDirectory(CIFAR10), "CIFAR-10 not present at " + CIFAR10.toAbsolutePath());
        DatasetLocator locator = new DatasetLocator(null, List.of(TestFiles.SHARED_DATA), dir, null);
        Dataset test = Datasets.load("cifar10", Split.TEST, locator, 20);
        assertEquals(20, test.size());
        assertEquals(dev.convkit.tensor.Shape.of(3, 32, 32), test.imageShape());
        assertEquals(List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"), test.classNames());
        CifarReader.Batch raw = CifarReader.read(CIFAR10.resolve("test_batch.bin.gz"), CifarReader.Labels.CIFAR10, 10_000, 20);
        for (int i = 0; i < raw.pixels().length; i += 97) assertEquals((raw.pixels()[i] & 0xff) / 255f, test.images()[i], 0f);
        assertEquals(3, test.labels()[0]);
    }

    @Test
    void cifar100FineAndCoarseLabelsFromGeneratedFiles() throws IOException {
        int[][] labels = {{4, 30}, {1, 1}, {19, 99}, {0, 0}};
        Path raw = Files.write(dir.resolve("train.bin"), TestFiles.cifarRecords(labels));
        Path gz = Files.write(dir.resolve("train.bin.gz"), TestFiles.gzip(TestFiles.cifarRecords(labels)));
        for (Path p : List.of(raw, gz)) {
            CifarReader.Batch fine = CifarReader.read(p, CifarReader.Labels.CIFAR100_FINE, 4);
            assertArrayEquals(new int[] {30, 1, 99, 0}, fine.labels());
            CifarReader.Batch coarse = CifarReader.read(p, CifarReader.Labels.CIFAR100_COARSE, 0);
            assertArrayEquals(new int[] {4, 1, 19, 0}, coarse.labels());
            // pixels of record 2 start right after its two label bytes
            assertArrayEquals(TestFiles.pattern(3072, 2), Arrays.copyOfRange(fine.pixels(), 2 * 3072, 3 * 3072));
        }
        assertEquals(2, CifarReader.read(gz, CifarReader.Labels.CIFAR100_FINE, 4, 2).count());
    }

    @Test
    void cifar100ThroughDatasetsWithClassNamesIgnoringBlankLines() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("root").resolve("cifar-100"));
        int[][] labels = new int[10_000][];
        for (int i = 0; i < labels.length; i++) labels[i] = new int[] {i % 20, i % 100};
        Files.write(folder.resolve("test.bin"), TestFiles.cifarRecords(labels)); // full official size: 10,000 records
        StringBuilder fine = new StringBuilder("\n");
        for (int i = 0; i < 100; i++) fine.append("fine_").append(i).append(i % 10 == 0 ? "\n\n" : "\n");
        Files.writeString(folder.resolve("fine_label_names.txt"), fine.toString(), StandardCharsets.UTF_8);
        DatasetLocator locator = new DatasetLocator(null, List.of(dir.resolve("root")), dir, null);

        Dataset d = Datasets.load("cifar100", Split.TEST, locator, 5);
        assertEquals(100, d.numClasses());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, d.labels());
        assertEquals("fine_0", d.classNames().get(0));
        assertEquals("fine_99", d.classNames().get(99));
        assertEquals(TestFiles.pattern(3072, 1)[5] & 0xff, Math.round(d.images()[3072 + 5] * 255));

        Dataset coarse = Datasets.loadCifar100(Split.TEST, locator, true, 25);
        assertEquals(20, coarse.numClasses());
        assertEquals(Dataset.numberedNames(20), coarse.classNames()); // no coarse_label_names.txt: numbered names
        assertEquals(0, coarse.labels()[20]);

        Files.writeString(folder.resolve("fine_label_names.txt"), "a\nb\n");
        assertMessage(() -> Datasets.load("cifar100", Split.TEST, locator, 5), "has 2 non-blank lines; expected 100, one name per class in label order");
    }

    @Test
    void recordSizeCountAndLabelErrorsAreReported() throws IOException {
        byte[] two = TestFiles.cifarRecords(new int[][] {{3}, {7}});
        Path partial = Files.write(dir.resolve("partial.bin"), Arrays.copyOf(two, two.length - 100));
        assertMessage(() -> CifarReader.read(partial, CifarReader.Labels.CIFAR10, 0),
                "CIFAR-10 binary file " + partial + " is invalid: its 6046 bytes of data are not a whole number of 3073-byte records "
                        + "(1 label byte + 3072 pixel bytes); 1 records and 2973 extra bytes; expected a multiple of 3073 bytes");
        Path partialGz = Files.write(dir.resolve("partial.bin.gz"), TestFiles.gzip(Arrays.copyOf(two, two.length - 100)));
        assertMessage(() -> CifarReader.read(partialGz, CifarReader.Labels.CIFAR10, 0), "not a whole number of 3073-byte records");
        assertMessage(() -> CifarReader.read(partialGz, CifarReader.Labels.CIFAR10, 0, 5), "the data ends 2973 bytes into record 1 (truncated)");

        // The first record of a cut download is intact, but --limit-train 1 must not hide the missing rest.
        Path twoGz = Files.write(dir.resolve("two.bin.gz"), TestFiles.gzip(two));
        assertMessage(() -> CifarReader.read(twoGz, CifarReader.Labels.CIFAR10, 10_000, 1), "it holds 2 records; expected 10000 records");

        Path twoRecords = Files.write(dir.resolve("data_batch_1.bin"), two);
        assertMessage(() -> CifarReader.read(twoRecords, CifarReader.Labels.CIFAR10, 10_000),
                "it holds 2 records; expected 10000 records of 3073 bytes = 30730000 bytes");
        // the same bytes read as CIFAR-100 are not whole 3074-byte records
        assertMessage(() -> CifarReader.read(twoRecords, CifarReader.Labels.CIFAR100_FINE, 0), "CIFAR-100 binary file", "3074-byte records");

        Path badLabel = Files.write(dir.resolve("bad.bin"), TestFiles.cifarRecords(new int[][] {{3}, {10}}));
        assertMessage(() -> CifarReader.read(badLabel, CifarReader.Labels.CIFAR10, 0), "record 1 has label 10; expected labels 0..9");
        Path badCoarse = Files.write(dir.resolve("bad100.bin"), TestFiles.cifarRecords(new int[][] {{25, 3}}));
        assertMessage(() -> CifarReader.read(badCoarse, CifarReader.Labels.CIFAR100_FINE, 0), "record 0 has coarse label 25; expected labels 0..19");
        Path empty = Files.write(dir.resolve("empty.bin"), new byte[0]);
        assertMessage(() -> CifarReader.read(empty, CifarReader.Labels.CIFAR10, 0), "the file holds no record");
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        DatasetException e = assertThrows(DatasetException.class, call);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "expected «" + p + "» in: " + e.getMessage());
    }
}
