package dev.convkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The real MNIST files in the repository's data/mnist, read through IdxReader and Datasets. */
class MnistFilesTest {

    private static final Path MNIST = TestFiles.REPO_DATA.resolve("mnist");

    @Test
    void trainSplitHasTheKnownCountsLabelsAndPixelMean() {
        IdxImages images = IdxReader.readImages(MNIST.resolve("train-images-idx3-ubyte.gz"));
        int[] labels = IdxReader.readLabels(MNIST.resolve("train-labels-idx1-ubyte.gz"), 10);
        assertEquals(60_000, images.count());
        assertEquals(28, images.rows());
        assertEquals(28, images.cols());
        assertEquals(60_000, labels.length);
        assertArrayEquals(new int[] {5, 0, 4, 1, 9, 2, 1, 3, 1, 4}, java.util.Arrays.copyOf(labels, 10));
        assertArrayEquals(new int[] {5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, histogram(labels));
        long sum = 0;
        for (byte b : images.pixels()) sum += b & 0xff;
        double mean = sum / (double) images.pixels().length / 255.0;
        assertEquals(33.318 / 255, mean, 1e-3);
        assertEquals(0.1307, mean, 1e-4);
    }

    @Test
    void testSplitHasTheKnownCountsAndLabels() {
        IdxImages images = IdxReader.readImages(MNIST.resolve("t10k-images-idx3-ubyte.gz"));
        int[] labels = IdxReader.readLabels(MNIST.resolve("t10k-labels-idx1-ubyte.gz"), 10);
        assertEquals(10_000, images.count());
        assertEquals(10_000, labels.length);
        assertArrayEquals(new int[] {980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, histogram(labels));
        long sum = 0;
        for (byte b : images.pixels()) sum += b & 0xff;
        assertEquals(33.791, sum / (double) images.pixels().length, 1e-3);
    }

    @Test
    void limitReadsOnlyTheFirstRecords() {
        IdxImages first = IdxReader.readImages(MNIST.resolve("train-images-idx3-ubyte.gz"), 3);
        assertEquals(3, first.count());
        assertEquals(3 * 784, first.pixels().length);
        assertArrayEquals(new int[] {5, 0, 4}, IdxReader.readLabels(MNIST.resolve("train-labels-idx1-ubyte.gz"), 10, 3));
    }

    @Test
    void everyFileMatchesTheDecompressedChecksumOfTheSpec() throws IOException {
        DatasetSpec spec = DatasetSpecs.MNIST;
        assertEquals(4, spec.sources().size());
        for (RemoteSource s : spec.sources()) {
            s.checksum().verify(MNIST.resolve(s.fileName()), "the repository");
        }
    }

    @Test
    void datasetsLoadGivesScaledNchwImagesAndNames() {
        DatasetLocator locator = new DatasetLocator(null, List.of(TestFiles.REPO_DATA), Path.of("unused"), null);
        Dataset test = Datasets.load("mnist", Split.TEST, locator, 100);
        assertEquals(100, test.size());
        assertEquals(dev.convkit.tensor.Shape.of(1, 28, 28), test.imageShape());
        assertEquals(100 * 784, test.images().length);
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), test.classNames());
        IdxImages raw = IdxReader.readImages(MNIST.resolve("t10k-images-idx3-ubyte.gz"), 100);
        float max = 0;
        for (int i = 0; i < raw.pixels().length; i++) {
            assertEquals((raw.pixels()[i] & 0xff) / 255f, test.images()[i], 0f);
            max = Math.max(max, test.images()[i]);
        }
        assertEquals(1f, max); // MNIST strokes reach 255
        assertEquals(7, test.labels()[0]); // the first test digit is a 7
    }

    private static int[] histogram(int[] labels) {
        int[] h = new int[10];
        for (int l : labels) h[l]++;
        return h;
    }
}
