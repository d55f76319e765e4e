package dev.convkit.cli;

import dev.convkit.graph.Model;
import dev.convkit.graph.ParamSpec;
import dev.convkit.onnx.ImportedModel;
import dev.convkit.onnx.OnnxImport;
import dev.convkit.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code fit --init-from FILE}: the weights of an ONNX file loaded into the run's zoo model before the first step.
 * The file must hold that model's parameters under the same structural names and shapes, which is what
 * {@code convkit export} (or {@code OnnxExport}) writes for it; any mismatch is listed.
 */
final class InitFromOnnx {
    private InitFromOnnx() {}

    static void load(Path file, Trainer trainer, PrintWriter out) throws IOException {
        if (!Files.isRegularFile(file)) throw CliException.usage("--init-from " + file + ": no such file");
        ImportedModel imported = OnnxImport.read(file);
        Model model = trainer.model();
        Map<String, float[]> values = imported.parameters();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, ParamSpec> e : model.params().entrySet()) {
            ParamSpec theirs = imported.model().params().get(e.getKey());
            if (theirs == null) problems.add("'" + e.getKey() + "' " + e.getValue().shape() + " is missing");
            else if (!theirs.shape().equals(e.getValue().shape())) problems.add("'" + e.getKey() + "' is " + theirs.shape() + ", the model needs " + e.getValue().shape());
        }
        for (String name : values.keySet()) if (!model.params().containsKey(name)) problems.add("'" + name + "' is not a parameter of " + model.name());
        if (!problems.isEmpty()) {
            throw CliException.usage("--init-from " + file + " does not hold the weights of model '" + model.name() + "' (" + problems.size()
                    + " mismatches: " + String.join("; ", problems.subList(0, Math.min(5, problems.size()))) + (problems.size() > 5 ? "; ..." : "")
                    + "); give an ONNX file that 'convkit export' wrote for the same model and dataset");
        }
        trainer.compiledModel().loadParameters(values);
        out.printf(java.util.Locale.ROOT, "initial weights: %s (%,d parameters)%n", file, model.totalParams());
    }
}
