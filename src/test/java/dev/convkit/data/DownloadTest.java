package dev.convkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real download code (HttpClient) against a loopback HTTP server that serves small generated files. */
class DownloadTest {

    @TempDir Path dir;

    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] body = served.get(exchange.getRequestURI().getPath());
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() { server.stop(0); }

    private String base() { return "http://127.0.0.1:" + server.getAddress().getPort() + "/"; }

    @Test
    void downloadsVerifiesAndPlacesTheFileWithAProgressBar() throws IOException {
        byte[] content = TestFiles.pattern(200_000, 5);
        served.put("/files/data.bin", content);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Downloader d = new Downloader(Duration.ofSeconds(5), new PrintStream(console, true, StandardCharsets.UTF_8));
        Path target = dir.resolve("data.bin");
        long bytes = d.download(URI.create(base() + "files/data.bin"), target, Checksum.sha256(sha256(content)));
        assertEquals(200_000, bytes);
        assertArrayEquals(content, Files.readAllBytes(target));
        assertEquals(List.of(target), listing(dir));
        String progress = console.toString(StandardCharsets.UTF_8);
        assertTrue(progress.contains("\rdownloading data.bin [##############################] 100%  0.2 / 0.2 MB"), progress);
        assertTrue(progress.endsWith(System.lineSeparator()), "the bar ends its line when done");
    }

    @Test
    void aChecksumMismatchDeletesTheDownloadAndSaysWhatWasExpected() throws IOException {
        byte[] content = "not the real file".getBytes(StandardCharsets.UTF_8);
        served.put("/x.gz", content);
        Downloader d = new Downloader(Duration.ofSeconds(5), null);
        Path target = dir.resolve("x.gz");
        String wrong = "00".repeat(32);
        DatasetException e = assertThrows(DatasetException.class,
                () -> d.download(URI.create(base() + "x.gz"), target, Checksum.sha256(wrong)));
        assertEquals("checksum mismatch for " + dir.resolve("x.gz.part") + " (from " + base() + "x.gz): expected sha256 " + wrong
                + ", got " + sha256(content) + ". The file is corrupt or not the expected one.", e.getMessage());
        assertFalse(Files.exists(target));
        assertEquals(List.of(), listing(dir), "neither the target nor the .part file remains");
    }

    @Test
    void httpErrorsAreIoExceptionsNamingTheStatus() {
        Downloader d = new Downloader(Duration.ofSeconds(5), null);
        IOException e = assertThrows(IOException.class,
                () -> d.download(URI.create(base() + "missing.gz"), dir.resolve("m.gz"), Checksum.md5("00")));
        assertEquals("server answered HTTP 404 for " + base() + "missing.gz", e.getMessage());
    }

    @Test
    void locatorDownloadsMissingIdxFilesAndVerifiesTheDecompressedChecksum() throws IOException {
        byte[] images = TestFiles.idxImages(3, 28, 28, TestFiles.pattern(3 * 784, 9));
        byte[] labels = TestFiles.idxLabels(4, 0, 9);
        served.put("/mnist/t10k-images-idx3-ubyte.gz", TestFiles.gzip(images));
        served.put("/mnist/t10k-labels-idx1-ubyte.gz", TestFiles.gzip(labels));
        DatasetSpec spec = DatasetSpecs.MNIST.withSources(List.of(
                RemoteSource.file("t10k-images-idx3-ubyte.gz", Checksum.sha256OfDecompressed(sha256(images)), base() + "offline-mirror/", base() + "mnist/"),
                RemoteSource.file("t10k-labels-idx1-ubyte.gz", Checksum.sha256OfDecompressed(sha256(labels)), base() + "mnist/"),
                RemoteSource.file("train-images-idx3-ubyte.gz", Checksum.sha256("00"), base() + "mnist/")));
        Path downloads = dir.resolve("downloads");
        DatasetLocator locator = new DatasetLocator(null, List.of(dir.resolve("empty-root")), downloads, new Downloader(Duration.ofSeconds(5), null));

        Path folder = locator.locate(spec, Split.TEST);
        assertEquals(downloads.resolve("mnist").toAbsolutePath().normalize(), folder);
        assertEquals(List.of(folder.resolve("t10k-images-idx3-ubyte.gz"), folder.resolve("t10k-labels-idx1-ubyte.gz")), listing(folder));
        assertEquals(3, requests.get(), "first mirror answers 404, second serves; the train file is not fetched for the test split");
        assertArrayEquals(new int[] {4, 0, 9}, IdxReader.readLabels(folder.resolve("t10k-labels-idx1-ubyte.gz"), 10));

        // Second call: found on disk, no request.
        assertEquals(folder, locator.locate(spec, Split.TEST));
        assertEquals(3, requests.get());
    }

    @Test
    void locatorDownloadsAndExtractsATarGzArchive() throws IOException {
        byte[] test = TestFiles.cifarRecords(new int[][] {{2, 40}, {7, 99}});
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("cifar-100-binary/readme.txt", "not extracted".getBytes(StandardCharsets.UTF_8));
        members.put("cifar-100-binary/test.bin", test);
        members.put("cifar-100-binary/train.bin", TestFiles.cifarRecords(new int[][] {{1, 1}}));
        members.put("cifar-100-binary/fine_label_names.txt", "x\n".getBytes(StandardCharsets.UTF_8));
        members.put("cifar-100-binary/coarse_label_names.txt", "y\n".getBytes(StandardCharsets.UTF_8));
        byte[] archive = TestFiles.gzip(TestFiles.tar(members));
        served.put("/cifar-100-binary.tar.gz", archive);
        RemoteSource source = RemoteSource.tarGz(base() + "cifar-100-binary.tar.gz", Checksum.md5(md5(archive)),
                DatasetSpecs.CIFAR100.sources().get(0).provides());
        DatasetSpec spec = DatasetSpecs.CIFAR100.withSources(List.of(source));
        Path downloads = dir.resolve("downloads");
        DatasetLocator locator = new DatasetLocator(null, List.of(), downloads, new Downloader(Duration.ofSeconds(5), null));

        Path folder = locator.locate(spec, Split.TEST);
        assertEquals(List.of(folder.resolve("coarse_label_names.txt"), folder.resolve("fine_label_names.txt"),
                folder.resolve("test.bin"), folder.resolve("train.bin")), listing(folder), "members extracted flat, archive deleted");
        assertArrayEquals(test, Files.readAllBytes(folder.resolve("test.bin")));
        assertArrayEquals(new int[] {40, 99}, CifarReader.read(folder.resolve("test.bin"), CifarReader.Labels.CIFAR100_FINE, 0).labels());
    }

    @Test
    void aCorruptTarHeaderIsReported() throws IOException {
        byte[] tar = TestFiles.tar(Map.of("a/test.bin", new byte[10]));
        tar[20] ^= 1; // inside the name field: the header checksum no longer matches
        DatasetException e = assertThrows(DatasetException.class, () ->
                TarExtractor.extract(new java.io.ByteArrayInputStream(tar), dir, java.util.Set.of("test.bin"), "t.tar"));
        assertTrue(e.getMessage().startsWith("tar archive t.tar has a corrupt header at byte 0 (header checksum mismatch): download it again"),
                e.getMessage());
        byte[] cut = java.util.Arrays.copyOf(TestFiles.tar(Map.of("a/test.bin", new byte[1000])), 700);
        DatasetException e2 = assertThrows(DatasetException.class, () ->
                TarExtractor.extract(new java.io.ByteArrayInputStream(cut), dir, java.util.Set.of("test.bin"), "t.tar"));
        assertTrue(e2.getMessage().contains("ends in the middle of a member"), e2.getMessage());
    }

    @Test
    void progressBarFormat() {
        assertEquals("downloading f.gz [###############---------------]  50%  5.0 / 10.0 MB", Downloader.bar("f.gz", 5_000_000, 10_000_000));
        assertEquals("downloading f.gz  1.5 MB", Downloader.bar("f.gz", 1_500_000, -1));
    }

    private static List<Path> listing(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.sorted().toList();
        }
    }

    private static String sha256(byte[] b) { return digest("SHA-256", b); }

    private static String md5(byte[] b) { return digest("MD5", b); }

    private static String digest(String algorithm, byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
