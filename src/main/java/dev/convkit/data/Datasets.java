package dev.convkit.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the standard data sets by name into a {@link Dataset}: images [N, C, H, W] scaled to [0, 1], labels, class
 * names. Files are found (or downloaded) by a {@link DatasetLocator}.
 *
 * <p>Shapes: mnist and fashion_mnist (1, 28, 28), 10 classes, 60,000 / 10,000 records; cifar10 (3, 32, 32), 10
 * classes, 50,000 / 10,000; cifar100 (3, 32, 32), 100 fine classes (or 20 coarse ones through
 * {@link #loadCifar100}), 50,000 / 10,000.
 */
public final class Datasets {
    private Datasets() {}

    /** The names {@link #load} accepts. */
    public static final List<String> NAMES = List.of("mnist", "fashion_mnist", "cifar10", "cifar100");

    /** The whole split, found through {@link DatasetLocator#standard} with {@code dataDir} (null: none) searched first. */
    public static Dataset load(String name, Split split, Path dataDir) {
        return load(name, split, DatasetLocator.standard(dataDir), Integer.MAX_VALUE);
    }

    /** The first {@code min(limit, N)} records of the split; cifar100 gives the fine labels. */
    public static Dataset load(String name, Split split, DatasetLocator locator, int limit) {
        if (limit < 1) throw new IllegalArgumentException("limit must be at least 1, got " + limit);
        DatasetSpec spec = DatasetSpecs.byName(name);
        return switch (name) {
            case "mnist" -> loadIdx(spec, split, locator, limit, Dataset.numberedNames(10));
            case "fashion_mnist" -> loadIdx(spec, split, locator, limit, DatasetSpecs.FASHION_CLASSES);
            case "cifar10" -> loadCifar(spec, split, locator, limit, CifarReader.Labels.CIFAR10);
            default -> loadCifar(spec, split, locator, limit, CifarReader.Labels.CIFAR100_FINE);
        };
    }

    /** CIFAR-100 with the 100 fine labels or, when {@code coarse}, the 20 superclass labels. */
    public static Dataset loadCifar100(Split split, DatasetLocator locator, boolean coarse, int limit) {
        return loadCifar(DatasetSpecs.CIFAR100, split, locator, limit,
                coarse ? CifarReader.Labels.CIFAR100_COARSE : CifarReader.Labels.CIFAR100_FINE);
    }

    private static Dataset loadIdx(DatasetSpec spec, Split split, DatasetLocator locator, int limit, List<String> classNames) {
        Path folder = locator.locate(spec, split);
        List<String> files = spec.files(split);
        Path imagesFile = DatasetLocator.resolveFile(folder, files.get(0));
        Path labelsFile = DatasetLocator.resolveFile(folder, files.get(1));
        IdxImages images = IdxReader.readImages(imagesFile, limit);
        int[] labels = IdxReader.readLabels(labelsFile, 10, limit);
        if (images.rows() != 28 || images.cols() != 28) {
            throw new DatasetException("IDX image file " + imagesFile + " holds " + images.rows() + " x " + images.cols()
                    + " images; expected 28 x 28 for data set '" + spec.name() + "'");
        }
        if (images.count() != labels.length) {
            throw new DatasetException("data set '" + spec.name() + "' " + split.lower() + " split: " + imagesFile + " holds "
                    + images.count() + " images but " + labelsFile + " holds " + labels.length + " labels; expected the same count");
        }
        return Dataset.fromBytes(spec.name(), split, images.pixels(), labels, 1, 28, 28, 10, classNames);
    }

    private static Dataset loadCifar(DatasetSpec spec, Split split, DatasetLocator locator, int limit, CifarReader.Labels kind) {
        Path folder = locator.locate(spec, split);
        List<String> files = spec.files(split);
        // Official record counts: 10,000 per CIFAR-10 batch; CIFAR-100 train.bin 50,000, test.bin 10,000.
        int perFile = kind == CifarReader.Labels.CIFAR10 ? 10_000 : split == Split.TRAIN ? 50_000 : 10_000;
        int total = (int) Math.min((long) perFile * files.size(), limit);
        float[] images = new float[total * CifarReader.PIXELS];
        int[] labels = new int[total];
        int filled = 0;
        for (String name : files) {
            if (filled == total) break;
            Path file = DatasetLocator.resolveFile(folder, name);
            int want = total - filled;
            CifarReader.Batch b = want >= perFile ? CifarReader.read(file, kind, perFile) : CifarReader.read(file, kind, perFile, want);
            int take = Math.min(b.count(), want);
            byte[] px = b.pixels();
            int base = filled * CifarReader.PIXELS;
            for (int i = 0; i < take * CifarReader.PIXELS; i++) images[base + i] = (px[i] & 0xff) / 255f;
            System.arraycopy(b.labels(), 0, labels, filled, take);
            filled += take;
        }
        List<String> names = switch (kind) {
            case CIFAR10 -> classNames(folder, "batches.meta.txt", 10, DatasetSpecs.CIFAR10_CLASSES);
            case CIFAR100_FINE -> classNames(folder, "fine_label_names.txt", 100, Dataset.numberedNames(100));
            case CIFAR100_COARSE -> classNames(folder, "coarse_label_names.txt", 20, Dataset.numberedNames(20));
        };
        return new Dataset(spec.name(), split, images, labels, CifarReader.CHANNELS, CifarReader.SIZE, CifarReader.SIZE,
                kind.numClasses(), names);
    }

    /**
     * Class names, one per line, from {@code folder/fileName} when it exists (blank lines and surrounding spaces are
     * ignored), else {@code fallback}. A file with the wrong number of names is an error.
     */
    public static List<String> classNames(Path folder, String fileName, int numClasses, List<String> fallback) {
        Path file = folder.resolve(fileName);
        if (!Files.isRegularFile(file)) return fallback;
        List<String> names = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) names.add(line.strip());
            }
        } catch (IOException e) {
            throw new DatasetException("cannot read class names file " + file + ": " + e, e);
        }
        if (names.size() != numClasses) {
            throw new DatasetException("class names file " + file + " has " + names.size() + " non-blank lines; expected "
                    + numClasses + ", one name per class in label order");
        }
        return names;
    }
}
