package dev.convkit.cli;

import dev.convkit.models.ModelRegistry;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code convkit models}: the zoo, one model per line with its default input, classes, parameters and recipe. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"List the model zoo: name, default input (C, H, W), classes, total parameters, whether a recipe exists "
                + "(models/<name>.json), description.", "Parameters are counted at the default input and class count; "
                + "fit builds a model for its dataset's image shape and classes."})
final class ModelsCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        String fmt = "%-22s %-15s %7s %13s  %-6s  %s%n";
        out.printf(Locale.ROOT, fmt, "NAME", "INPUT", "CLASSES", "PARAMS", "RECIPE", "DESCRIPTION");
        for (String name : ModelRegistry.names()) {
            ModelRegistry.Entry e = ModelRegistry.entry(name);
            long params = ModelRegistry.create(name).totalParams();
            String input = e.defaultInput().toString() + (e.inputs() > 1 ? " x" + e.inputs() : "");
            out.printf(Locale.ROOT, fmt, name, input, e.defaultClasses(), String.format(Locale.ROOT, "%,d", params),
                    Recipes.forModel(name).isPresent() ? "yes" : "-", e.description());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
