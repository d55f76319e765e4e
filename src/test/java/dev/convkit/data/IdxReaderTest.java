package dev.convkit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IdxReader on small generated files: valid raw and gzip files, and each kind of corruption with its message. */
class IdxReaderTest {

    @TempDir Path dir;

    private final byte[] pixels = TestFiles.pattern(5 * 4 * 3, 11); // 5 images of 4 x 3

    @Test
    void rawAndGzipFilesReadTheSame() throws IOException {
        Path raw = write("images", TestFiles.idxImages(5, 4, 3, pixels));
        Path gz = write("images.gz", TestFiles.gzip(TestFiles.idxImages(5, 4, 3, pixels)));
        Path renamed = write("images-but-gzip.idx", TestFiles.gzip(TestFiles.idxImages(5, 4, 3, pixels))); // detected by content
        for (Path p : new Path[] {raw, gz, renamed}) {
            IdxImages im = IdxReader.readImages(p);
            assertEquals(5, im.count());
            assertEquals(4, im.rows());
            assertEquals(3, im.cols());
            assertArrayEquals(pixels, im.pixels(), p.toString());
        }
        assertArrayEquals(Arrays.copyOf(pixels, 24), IdxReader.readImages(gz, 2).pixels());
        Path labels = write("labels.gz", TestFiles.gzip(TestFiles.idxLabels(3, 0, 9, 1)));
        assertArrayEquals(new int[] {3, 0, 9, 1}, IdxReader.readLabels(labels, 10));
    }

    @Test
    void wrongMagicNamesBothValues() throws IOException {
        // A doubly compressed file: after one gunzip the content starts with the gzip magic 1f 8b 08 00.
        Path doubleGz = write("train-images-idx3-ubyte.gz", TestFiles.gzip(TestFiles.gzip(TestFiles.idxImages(5, 4, 3, pixels))));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(doubleGz));
        assertEquals("IDX image file " + doubleGz + " is invalid: found magic 0x1f8b0800; expected magic 0x00000803 "
                + "(unsigned bytes, 3 dimensions). Download the file again or point the data folder (--data-dir, the dataDir argument, or $CONVKIT_DATA) at an intact copy.", e.getMessage());

        Path labelsAsImages = write("labels", TestFiles.idxLabels(1, 2, 3));
        assertMessage(() -> IdxReader.readImages(labelsAsImages), "found magic 0x00000801 (that is an IDX label file); expected magic 0x00000803");
        Path imagesAsLabels = write("imgs", TestFiles.idxImages(5, 4, 3, pixels));
        assertMessage(() -> IdxReader.readLabels(imagesAsLabels, 10), "IDX label file", "found magic 0x00000803 (that is an IDX image file); expected magic 0x00000801");
    }

    @Test
    void truncatedFilesAreReported() throws IOException {
        byte[] full = TestFiles.idxImages(5, 4, 3, pixels);
        Path rawCut = write("cut", Arrays.copyOf(full, full.length - 10));
        assertMessage(() -> IdxReader.readImages(rawCut), "the header announces 5 images of 4 x 3 = 60 bytes of data, but the file holds 50 bytes after its 16-byte header (truncated)");
        // gzip of a truncated IDX: the gzip stream is fine, the content is short.
        Path gzShortContent = write("short.gz", TestFiles.gzip(Arrays.copyOf(full, full.length - 10)));
        assertMessage(() -> IdxReader.readImages(gzShortContent), "the data ends after 50 of the 60 bytes the header announces (5 images of 4 x 3): the file is truncated");
        // a cut .gz file: the compressed stream itself ends early.
        byte[] gz = TestFiles.gzip(TestFiles.idxImages(50, 10, 10, TestFiles.pattern(5000, 3)));
        Path gzCut = write("cut.gz", Arrays.copyOf(gz, gz.length / 2));
        assertMessage(() -> IdxReader.readImages(gzCut), "ends in the middle of its gzip-compressed data", "the .gz file is truncated");
        // Asking for the intact first records of a truncated file is still an error (--limit-train on a cut download).
        assertMessage(() -> IdxReader.readImages(gzShortContent, 2), "the data ends after 50 of the 60 bytes the header announces (5 images of 4 x 3): "
                + "the file is truncated (the first 24 bytes asked for are there, the rest is not)");
        assertMessage(() -> IdxReader.readImages(gzCut, 3), "ends in the middle of its gzip-compressed data", "the .gz file is truncated");
        Path gzLong = write("long.gz", TestFiles.gzip(Arrays.copyOf(full, full.length + 4)));
        assertMessage(() -> IdxReader.readImages(gzLong, 2), "there are bytes after the 60 bytes the header announces (5 images of 4 x 3)");
        Path headerOnly = write("hdr", Arrays.copyOf(full, 10));
        assertMessage(() -> IdxReader.readImages(headerOnly), "the file ends after 10 bytes, inside the header; expected a complete 16-byte header");
        Path tiny = write("tiny", new byte[] {0, 0});
        assertMessage(() -> IdxReader.readImages(tiny), "the file holds only 2 bytes; expected a 16-byte IDX header starting with magic 0x00000803");
    }

    @Test
    void countsThatDoNotMatchTheSizeAreReported() throws IOException {
        byte[] withExtra = Arrays.copyOf(TestFiles.idxImages(5, 4, 3, pixels), 16 + 60 + 12);
        Path rawExtra = write("extra", withExtra);
        assertMessage(() -> IdxReader.readImages(rawExtra), "the header announces 5 images of 4 x 3 = 60 bytes of data, but the file holds 72 bytes after its 16-byte header (trailing bytes)");
        Path gzExtra = write("extra.gz", TestFiles.gzip(withExtra));
        assertMessage(() -> IdxReader.readImages(gzExtra), "there are bytes after the 60 bytes the header announces (5 images of 4 x 3)");
        byte[] labels = TestFiles.idxLabels(1, 2, 3);
        labels[7] = 4; // header says 4 labels, 3 present
        Path shortLabels = write("labels", labels);
        assertMessage(() -> IdxReader.readLabels(shortLabels, 10), "the header announces 4 labels = 4 bytes of data, but the file holds 3 bytes after its 8-byte header (truncated)");
        Path zeroDims = write("zero", TestFiles.idxImages(5, 0, 3, new byte[0]));
        assertMessage(() -> IdxReader.readImages(zeroDims), "the header gives dimensions 5 x 0 x 3; expected every dimension (images x rows x columns) to be at least 1");
    }

    @Test
    void brokenGzipIsReported() throws IOException {
        byte[] good = TestFiles.gzip(TestFiles.idxImages(50, 10, 10, TestFiles.pattern(5000, 3)));
        byte[] badBlock = good.clone();
        badBlock[10] = (byte) 0xff; // first deflate block header: block type 3 is reserved, fails at once
        Path early = write("bad-block.gz", badBlock);
        assertMessage(() -> IdxReader.readImages(early), "data file " + early + " is not a valid gzip stream (invalid block type)");

        // Scrambled deflate data may first decode into garbage: the header check fails, but the root cause reported
        // is the gzip corruption found when the rest of the stream is checked.
        byte[] scrambled = good.clone();
        for (int i = 20; i < scrambled.length - 20; i++) scrambled[i] ^= (byte) 0x5a;
        Path broken = write("broken.gz", scrambled);
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readImages(broken));
        assertTrue(e.getMessage().startsWith("data file " + broken + " is not a valid gzip stream ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("the compressed data is corrupt; expected a complete gzip file, so download it again"), e.getMessage());
    }

    @Test
    void labelsOutOfRangeAreReported() throws IOException {
        Path labels = write("labels", TestFiles.idxLabels(3, 0, 12, 1));
        DatasetException e = assertThrows(DatasetException.class, () -> IdxReader.readLabels(labels, 10));
        assertEquals("IDX label file " + labels + " is invalid: label 12 at index 2 is out of range; expected class indices 0..9. "
                + "Download the file again or point the data folder (--data-dir, the dataDir argument, or $CONVKIT_DATA) at an intact copy.", e.getMessage());
        assertArrayEquals(new int[] {3, 0, 12, 1}, IdxReader.readLabels(labels, 13));
    }

    @Test
    void aMissingFileIsReported() {
        Path none = dir.resolve("absent.gz");
        assertMessage(() -> IdxReader.readImages(none), "data file " + none + " does not exist");
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(dir.resolve(name), content);
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        DatasetException e = assertThrows(DatasetException.class, call);
        for (String p : parts) assertTrue(e.getMessage().contains(p), "expected «" + p + "» in: " + e.getMessage());
    }
}
