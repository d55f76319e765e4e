package dev.convkit.cli;

import dev.convkit.data.CifarReader;
import dev.convkit.data.Dataset;
import dev.convkit.data.IdxImages;
import dev.convkit.data.IdxReader;
import dev.convkit.data.Split;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Images for {@code predict}: records of the run's test split by index ({@link #slice}), or the first images of a file
 * in a dataset's own format: an IDX image file ({@code *-images-idx3-ubyte},
 * optionally gzip-compressed; labels are read from the sibling {@code *-labels-idx1-ubyte} file when it exists) or a
 * CIFAR binary batch ({@code .bin}, optionally {@code .bin.gz}; labels are in the records).
 *
 * @param labelled whether {@code data}'s labels are the file's true labels (else they are all 0)
 */
record InputImages(Dataset data, boolean labelled) {

    /** Records {@code first .. first+count-1} of {@code split} (fewer when it ends sooner), with their labels. */
    static InputImages slice(Dataset split, int first, int count) {
        if (first >= split.size()) {
            throw CliException.usage("--input " + first + " is past the end of the " + split.name() + " test split (" + split.size() + " images, 0.."
                    + (split.size() - 1) + ")");
        }
        int n = Math.min(count, split.size() - first), per = split.imageSize();
        float[] images = java.util.Arrays.copyOfRange(split.images(), first * per, (first + n) * per);
        int[] labels = java.util.Arrays.copyOfRange(split.labels(), first, first + n);
        return new InputImages(new Dataset(split.name() + "[" + first + ".." + (first + n - 1) + "]", Split.TEST, images, labels, split.channels(),
                split.height(), split.width(), split.numClasses(), split.classNames()), true);
    }

    /** The first {@code count} images of {@code file}; {@code cifarKind} says how to read a CIFAR file. */
    static InputImages read(Path file, int count, CifarReader.Labels cifarKind, List<String> classNames) {
        if (!Files.isRegularFile(file)) throw CliException.usage("--input " + file + ": no such file");
        if (isIdxImages(file)) {
            IdxImages images = IdxReader.readImages(file, count);
            Path labelsFile = labelsBeside(file);
            int[] labels = labelsFile == null ? new int[images.count()] : IdxReader.readLabels(labelsFile, classNames.size(), images.count());
            if (labels.length != images.count()) {
                throw new CliException("--input " + file + " has " + images.count() + " images but " + labelsFile + " only " + labels.length + " labels");
            }
            return new InputImages(Dataset.fromBytes(file.getFileName().toString(), Split.TEST, images.pixels(), labels, 1, images.rows(),
                    images.cols(), classNames.size(), classNames), labelsFile != null);
        }
        if (cifarKind == null) {
            throw CliException.usage("--input " + file + " is not an IDX image file (it does not start with the IDX image magic number "
                    + "0x00000803), and the run was not trained on CIFAR, so it cannot be read as a CIFAR batch either");
        }
        CifarReader.Batch b = CifarReader.read(file, cifarKind, 0, count);
        return new InputImages(Dataset.fromBytes(file.getFileName().toString(), Split.TEST, b.pixels(), b.labels(), CifarReader.CHANNELS,
                CifarReader.SIZE, CifarReader.SIZE, classNames.size(), classNames), true);
    }

    /** True when the (possibly gzip-compressed) file starts with the IDX image magic number. */
    static boolean isIdxImages(Path file) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw) : raw;
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && ((magic[0] & 0xff) << 24 | (magic[1] & 0xff) << 16 | (magic[2] & 0xff) << 8 | (magic[3] & 0xff))
                    == IdxReader.IMAGES_MAGIC;
        } catch (NoSuchFileException e) {
            throw CliException.usage("--input " + file + ": no such file");
        } catch (IOException e) {
            throw new CliException("cannot read --input " + file + ": " + ErrorReporter.describe(e));
        }
    }

    /** {@code t10k-images-idx3-ubyte.gz} → {@code t10k-labels-idx1-ubyte.gz} beside it, if that exists. */
    static Path labelsBeside(Path imagesFile) {
        String name = imagesFile.getFileName().toString();
        if (!name.contains("images-idx3")) return null;
        Path labels = imagesFile.resolveSibling(name.replace("images-idx3", "labels-idx1"));
        return Files.isRegularFile(labels) ? labels : null;
    }
}
