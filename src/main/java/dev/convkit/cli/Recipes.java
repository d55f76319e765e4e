package dev.convkit.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where recipes live: {@code models/} under the ConvKit home (system property {@code convkit.home}, which the
 * {@code convkit} launcher sets to the repository root), else {@code models/} under the working folder.
 */
final class Recipes {
    private Recipes() {}

    static Path folder() {
        String home = System.getProperty("convkit.home");
        return home == null || home.isBlank() ? Path.of("models") : Path.of(home, "models");
    }

    /** The recipe of a zoo model, if there is one. */
    static Optional<Path> forModel(String model) {
        Path p = folder().resolve(model + ".json");
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }

    /**
     * A {@code --recipe} argument: an existing file path, or a model name whose recipe is in {@link #folder()}.
     * The message says where it looked otherwise.
     */
    static Path resolve(String arg) {
        Path p = Path.of(arg);
        if (Files.isRegularFile(p)) return p;
        if (!arg.contains("/") && !arg.contains("\\")) {
            Path named = folder().resolve(arg.endsWith(".json") ? arg : arg + ".json");
            if (Files.isRegularFile(named)) return named;
            throw CliException.usage("recipe '" + arg + "' not found: no file " + p.toAbsolutePath() + " and no " + named.toAbsolutePath()
                    + "; give a path or a model name that has a recipe (models/README.md lists them)");
        }
        throw CliException.usage("recipe file " + p.toAbsolutePath() + " does not exist");
    }
}
