package dev.convkit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Search order, compressed/uncompressed variants and the offline message; downloads are in DownloadTest. */
class DatasetLocatorTest {

    @TempDir Path dir;

    @Test
    void explicitDirComesFirstThenRootsInOrder() throws IOException {
        Path explicit = dir.resolve("explicit");
        Path rootA = dir.resolve("a");
        Path rootB = dir.resolve("b");
        DatasetSpec spec = DatasetSpecs.MNIST.withoutSystemFolders();
        DatasetLocator locator = new DatasetLocator(explicit, List.of(rootA, rootB), dir.resolve("dl"), null);
        assertEquals(List.of(abs(explicit), abs(explicit.resolve("mnist")), abs(rootA.resolve("mnist")), abs(rootB.resolve("mnist"))),
                locator.candidateFolders(spec));

        mnistTestFiles(rootB.resolve("mnist"), true);
        assertEquals(abs(rootB.resolve("mnist")), locator.locate(spec, Split.TEST));
        mnistTestFiles(rootA.resolve("mnist"), false); // uncompressed names are accepted too
        assertEquals(abs(rootA.resolve("mnist")), locator.locate(spec, Split.TEST));
        mnistTestFiles(explicit, true); // an explicit dir may be the data set folder itself
        assertEquals(abs(explicit), locator.locate(spec, Split.TEST));
    }

    @Test
    void aFolderWithOnlySomeFilesIsSkipped() throws IOException {
        Path rootA = dir.resolve("a");
        Path rootB = dir.resolve("b");
        Files.createDirectories(rootA.resolve("mnist"));
        Files.write(rootA.resolve("mnist").resolve("t10k-images-idx3-ubyte.gz"), new byte[1]); // labels missing
        mnistTestFiles(rootB.resolve("mnist"), true);
        DatasetLocator locator = new DatasetLocator(null, List.of(rootA, rootB), dir.resolve("dl"), null);
        assertEquals(abs(rootB.resolve("mnist")), locator.locate(DatasetSpecs.MNIST.withoutSystemFolders(), Split.TEST));
    }

    @Test
    void archiveSubfoldersAndSystemFoldersAreSearched() {
        DatasetLocator locator = new DatasetLocator(null, List.of(dir), dir.resolve("dl"), null);
        assertTrue(locator.candidateFolders(DatasetSpecs.CIFAR10).contains(abs(dir.resolve("cifar-10").resolve("cifar-10-batches-bin"))));
        List<Path> fashion = locator.candidateFolders(DatasetSpecs.FASHION_MNIST);
        assertEquals(Path.of("/usr/share/datasets/fashion-mnist"), fashion.get(fashion.size() - 1));
    }

    @Test
    void standardOrderIsEnvHomeThenRepoData() {
        DatasetLocator standard = DatasetLocator.standard(dir);
        List<Path> folders = standard.candidateFolders(DatasetSpecs.MNIST);
        assertEquals(abs(dir), folders.get(0));
        Path home = abs(Path.of(System.getProperty("user.home"), ".convkit", "datasets", "mnist"));
        Path repo = abs(Path.of("data", "mnist"));
        assertTrue(folders.indexOf(home) > 0 && folders.indexOf(repo) > folders.indexOf(home), folders.toString());
        String env = System.getenv("CONVKIT_DATA");
        if (env != null && !env.isBlank()) {
            assertTrue(folders.indexOf(abs(Path.of(env, "mnist"))) < folders.indexOf(home), folders.toString());
        }
    }

    @Test
    void offlineMessageListsTheFilesAndEveryFolderSearched() throws IOException {
        Path root = dir.resolve("root");
        Files.createDirectories(root.resolve("cifar-10"));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // closed again below: connecting is refused, as when offline
        }
        RemoteSource unreachable = RemoteSource.tarGz("http://127.0.0.1:" + closedPort + "/cifar-10-binary.tar.gz",
                Checksum.md5("c32a1d4ab5d03f1284b67883e8d87530"), DatasetSpecs.CIFAR10.sources().get(0).provides());
        DatasetSpec spec = DatasetSpecs.CIFAR10.withSources(List.of(unreachable));
        Path downloads = dir.resolve("downloads");
        DatasetLocator locator = new DatasetLocator(null, List.of(root), downloads,
                new Downloader(java.time.Duration.ofSeconds(2), null));

        long start = System.nanoTime();
        DatasetException e = assertThrows(DatasetException.class, () -> locator.locate(spec, Split.TRAIN));
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "an unreachable server must fail fast");
        String m = e.getMessage();
        assertTrue(m.startsWith("data set 'cifar10' (train split) was not found. It needs the files data_batch_1.bin, data_batch_2.bin, "
                + "data_batch_3.bin, data_batch_4.bin, data_batch_5.bin (each may also be stored with or without .gz) together in one folder."), m);
        for (Path folder : locator.candidateFolders(spec)) assertTrue(m.contains(folder.toString()), folder + " in " + m);
        assertTrue(m.contains(abs(root.resolve("cifar-10")) + " (missing data_batch_1.bin, data_batch_2.bin"), m);
        assertTrue(m.contains(abs(root.resolve("cifar-10").resolve("cifar-10-batches-bin")) + " (no such folder)"), m);
        assertTrue(m.contains("Downloading failed, the machine is probably offline: could not download cifar-10-binary.tar.gz (http://127.0.0.1:"
                + closedPort + "/cifar-10-binary.tar.gz: ConnectException"), m);
        assertTrue(m.endsWith("Copy the files into one of the folders above (for example " + abs(downloads.resolve("cifar-10")) + "), set CONVKIT_DATA to the folder that holds them, "
                + "or name it: --data-dir on the command line, the dataDir argument of Datasets.load or DatasetLocator.standard in Java."), m);
        assertFalse(Files.exists(downloads.resolve("cifar-10")), "a failed download leaves no folder behind");
    }

    @Test
    void withDownloadsDisabledTheMessageSaysSo() {
        DatasetLocator locator = new DatasetLocator(null, List.of(dir), dir.resolve("dl"), null);
        DatasetException e = assertThrows(DatasetException.class, () -> locator.locate(DatasetSpecs.MNIST.withoutSystemFolders(), Split.TRAIN));
        assertTrue(e.getMessage().contains("It needs the files train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz"), e.getMessage());
        assertTrue(e.getMessage().contains(abs(dir.resolve("mnist")) + " (no such folder)"), e.getMessage());
        assertTrue(e.getMessage().contains("Downloading is disabled."), e.getMessage());
        assertFalse(Files.exists(dir.resolve("dl")));
    }

    @Test
    void unknownDatasetNameListsTheValidOnes() {
        DatasetException e = assertThrows(DatasetException.class, () -> Datasets.load("imagenet", Split.TRAIN, dir));
        assertEquals("unknown data set 'imagenet'; valid names are mnist, fashion_mnist, cifar10, cifar100", e.getMessage());
    }

    @Test
    void resolveFileAcceptsBothCompressionVariants() throws IOException {
        Files.write(dir.resolve("a.bin.gz"), new byte[1]);
        Files.write(dir.resolve("b-idx1-ubyte"), new byte[1]);
        assertEquals(dir.resolve("a.bin.gz"), DatasetLocator.resolveFile(dir, "a.bin"));
        assertEquals(dir.resolve("b-idx1-ubyte"), DatasetLocator.resolveFile(dir, "b-idx1-ubyte.gz"));
        assertEquals(null, DatasetLocator.resolveFile(dir, "c.bin"));
    }

    /** Minimal valid MNIST test-split files (3 images) in {@code folder}, gzip or raw. */
    static void mnistTestFiles(Path folder, boolean gzip) throws IOException {
        Files.createDirectories(folder);
        byte[] images = TestFiles.idxImages(3, 28, 28, TestFiles.pattern(3 * 784, 1));
        byte[] labels = TestFiles.idxLabels(7, 2, 1);
        Files.write(folder.resolve(gzip ? "t10k-images-idx3-ubyte.gz" : "t10k-images-idx3-ubyte"), gzip ? TestFiles.gzip(images) : images);
        Files.write(folder.resolve(gzip ? "t10k-labels-idx1-ubyte.gz" : "t10k-labels-idx1-ubyte"), gzip ? TestFiles.gzip(labels) : labels);
    }

    private static Path abs(Path p) { return p.toAbsolutePath().normalize(); }
}
