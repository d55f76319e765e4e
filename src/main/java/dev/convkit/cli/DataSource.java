package dev.convkit.cli;

import dev.convkit.data.Dataset;
import dev.convkit.data.DatasetLocator;
import dev.convkit.data.Datasets;
import dev.convkit.data.Normalizer;
import dev.convkit.data.Split;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the datasets of the commands: {@link DatasetLocator#standard} (--data-dir first, then $CONVKIT_DATA,
 * ~/.convkit/datasets, ./data) plus the ConvKit home's {@code data/} and the {@code shared/data/} beside it, when they
 * exist, so the launcher finds the bundled files from any working folder.
 */
final class DataSource {
    private DataSource() {}

    static DatasetLocator locator(Path dataDir) { return locator(dataDir, false); }

    /** With {@code offline}, missing files are an error at once instead of being downloaded. */
    static DatasetLocator locator(Path dataDir, boolean offline) {
        if (dataDir != null && !Files.isDirectory(dataDir)) throw CliException.usage("--data-dir " + dataDir.toAbsolutePath() + " is not a folder");
        DatasetLocator l = DatasetLocator.standard(dataDir);
        String home = System.getProperty("convkit.home");
        if (home != null && !home.isBlank()) {
            for (Path p : new Path[] {Path.of(home, "data"), Path.of(home).resolveSibling("shared").resolve("data")}) {
                if (Files.isDirectory(p)) l = l.withRoot(p);
            }
        }
        return offline ? l.offline() : l;
    }

    /** A split of a named dataset, its first {@code limit} records when limit is not null. */
    static Dataset load(String dataset, Split split, Path dataDir, Integer limit) { return load(dataset, split, dataDir, limit, false); }

    static Dataset load(String dataset, Split split, Path dataDir, Integer limit, boolean offline) {
        return Datasets.load(dataset, split, locator(dataDir, offline), limit == null ? Integer.MAX_VALUE : limit);
    }

    /** Keras' subtract_pixel_mean (the training set's mean image) or none. */
    static Normalizer normalizer(boolean subtractPixelMean, Dataset train) {
        return subtractPixelMean ? Normalizer.pixelMean(train) : Normalizer.none();
    }
}
