package dev.convkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Fashion-MNIST as installed by Debian's dataset-fashion-mnist package (skipped where it is not installed). */
class FashionMnistFilesTest {

    private static final Path DEBIAN = Path.of("/usr/share/datasets/fashion-mnist");

    @Test
    void debianFilesMatchTheSpecChecksumsAndCounts() throws IOException {
        assumeTrue(Files.isDirectory(DEBIAN), "apt-get install dataset-fashion-mnist to run this test");
        for (RemoteSource s : DatasetSpecs.FASHION_MNIST.sources()) {
            if (s.fileName().contains("labels")) s.checksum().verify(DEBIAN.resolve(s.fileName()), "Debian");
        }
        int[] train = IdxReader.readLabels(DEBIAN.resolve("train-labels-idx1-ubyte.gz"), 10);
        int[] test = IdxReader.readLabels(DEBIAN.resolve("t10k-labels-idx1-ubyte.gz"), 10);
        int[] sixThousand = new int[10];
        Arrays.fill(sixThousand, 6000);
        int[] oneThousand = new int[10];
        Arrays.fill(oneThousand, 1000);
        assertArrayEquals(sixThousand, histogram(train));
        assertArrayEquals(oneThousand, histogram(test));
    }

    @Test
    void loadsThroughTheSystemFolderWithClassNames() {
        assumeTrue(Files.isDirectory(DEBIAN), "apt-get install dataset-fashion-mnist to run this test");
        DatasetLocator locator = new DatasetLocator(null, java.util.List.of(), Path.of("unused"), null);
        Dataset d = Datasets.load("fashion_mnist", Split.TEST, locator, 50);
        assertEquals(50, d.size());
        assertEquals(dev.convkit.tensor.Shape.of(1, 28, 28), d.imageShape());
        assertEquals("Ankle boot", d.classNames().get(9));
        assertEquals(9, d.labels()[0]); // the first Fashion-MNIST test item is an ankle boot
    }

    private static int[] histogram(int[] labels) {
        int[] h = new int[10];
        for (int l : labels) h[l]++;
        return h;
    }
}
