package dev.convkit.cli;

import dev.convkit.backend.BackendProvider;
import dev.convkit.backend.Backends;
import dev.convkit.data.Datasets;
import dev.convkit.models.ModelRegistry;
import dev.convkit.train.LearningRateSchedule;
import dev.convkit.train.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Checks names given on the command line against what exists, so an unknown name is a usage error (exit code 2)
 * that lists the valid ones. The lists come from the registries themselves, never from copies.
 */
final class Choices {
    private Choices() {}

    static String model(String name) {
        if (!ModelRegistry.names().contains(name)) {
            throw CliException.usage("unknown model '" + name + "'; valid models: " + String.join(", ", ModelRegistry.names())
                    + " (run 'convkit models' for descriptions)");
        }
        return name;
    }

    static String dataset(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!Datasets.NAMES.contains(n)) throw CliException.usage("unknown dataset '" + name + "'; valid datasets: " + String.join(", ", Datasets.NAMES));
        return n;
    }

    static String optimizer(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!Optimizer.NAMES.contains(n)) throw CliException.usage("unknown optimizer '" + name + "'; valid optimizers: " + String.join(", ", Optimizer.NAMES));
        return n;
    }

    static String schedule(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (!LearningRateSchedule.NAMES.contains(n)) {
            throw CliException.usage("unknown learning-rate schedule '" + name + "'; valid schedules: " + String.join(", ", LearningRateSchedule.NAMES));
        }
        return n;
    }

    /** "auto" or the name of an installed engine provider. */
    static String engine(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("auto")) return n;
        List<String> names = new ArrayList<>();
        for (BackendProvider p : Backends.providers()) names.add(p.name());
        if (!names.contains(n)) {
            throw CliException.usage("unknown engine '" + name + "'; valid engines: auto" + (names.isEmpty() ? "" : ", " + String.join(", ", names)));
        }
        return n;
    }

    static int positive(String option, int value) {
        if (value < 1) throw CliException.usage(option + " must be a positive whole number, got " + value);
        return value;
    }

    static double positive(String option, double value) {
        if (!(value > 0) || Double.isInfinite(value)) throw CliException.usage(option + " must be a positive number, got " + value);
        return value;
    }
}
