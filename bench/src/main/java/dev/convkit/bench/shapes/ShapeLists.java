package dev.convkit.bench.shapes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The shape lists of models/shapes: {@code DRIVER_MODEL.txt} files, one problem per line. Every line is parsed with
 * its driver's parser when read, so a bad line fails before any benchmark starts, naming file and line.
 */
public final class ShapeLists {
    /** The drivers and the parser that validates their lines. */
    public enum Driver {
        CONV(ConvShape::parse), BNORM(BnormShape::parse), POOL(PoolShape::parse), IP(IpShape::parse);

        private final Function<String, ?> parser;

        Driver(Function<String, ?> parser) { this.parser = parser; }

        public String prefix() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    private ShapeLists() {}

    /** Models that have at least one shape list in {@code dir}, sorted. */
    public static List<String> models(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt") && n.indexOf('_') > 0)
                    .map(n -> n.substring(n.indexOf('_') + 1, n.length() - 4)).distinct().sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list shape files in " + dir, e);
        }
    }

    /** The validated problem lines of {@code driver} for these models, in file order; a missing file adds none. */
    public static List<String> lines(Path dir, Driver driver, List<String> models) {
        List<String> out = new ArrayList<>();
        for (String model : models) {
            Path f = dir.resolve(driver.prefix() + "_" + model + ".txt");
            if (!Files.exists(f)) continue;
            List<String> lines;
            try {
                lines = Files.readAllLines(f);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
            for (int i = 0; i < lines.size(); i++) {
                if (!Notation.isProblem(lines.get(i))) continue;
                String line = lines.get(i).strip();
                try {
                    driver.parser.apply(line);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(f + ":" + (i + 1) + ": " + e.getMessage(), e);
                }
                out.add(line);
            }
        }
        return out;
    }
}
