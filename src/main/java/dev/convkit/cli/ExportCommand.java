package dev.convkit.cli;

import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.io.HostTensor;
import dev.convkit.onnx.OnnxExport;
import dev.convkit.train.Checkpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code convkit export --checkpoint DIR --out model.onnx}: a run's weights as an ONNX inference graph, read from the
 * checkpoint files alone (no engine, no data).
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a run's checkpoint as an ONNX model (opset 17, dynamic batch, logits output) for ONNX Runtime, TensorRT, "
                + "OpenVINO or an import elsewhere; needs no engine and no data."},
        footer = {"", "Example:", "  convkit export --checkpoint runs/r20 --best --out r20.onnx --softmax"})
final class ExportCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Run folder written by 'convkit fit'.")
    Path checkpoint;

    @Option(names = "--best", description = "Export the best-val_accuracy checkpoint instead of the latest.")
    boolean best;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The ONNX file to write (e.g. model.onnx).")
    Path out;

    @Option(names = "--softmax", description = "Add a second output, 'probabilities', the softmax of the logits.")
    boolean softmax;

    @Override public Integer call() throws IOException {
        if (!Files.isDirectory(checkpoint)) throw CliException.usage("--checkpoint " + checkpoint + ": no such folder");
        String name = best ? Checkpoint.BEST : Checkpoint.LATEST;
        if (!Checkpoint.exists(checkpoint, name)) {
            throw CliException.usage("--checkpoint " + checkpoint + " holds no '" + name + "' checkpoint (" + name + ".json)"
                    + (best ? "; leave out --best to export the latest one" : "; give the run folder a 'convkit fit --out' wrote"));
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) throw CliException.usage("cannot write --out " + out + ": folder " + parent + " does not exist");
        Checkpoint c = Checkpoint.load(checkpoint, name);
        FitConfig config = FitConfig.fromRunInfo(c.runInfo(), checkpoint);
        String recorded = ModelShapes.registryName(c.modelConfig());
        String registry = recorded != null ? recorded : config.model();
        Model model = Models.build(registry, ModelShapes.fromRecord(c.modelConfig()));
        c.requireCompatible(model);
        Map<String, float[]> params = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : c.parameters().entrySet()) params.put(e.getKey(), e.getValue().data());
        OnnxExport.write(model, params, out, OnnxExport.Options.defaults().withSoftmaxOutput(softmax));

        PrintWriter w = spec.commandLine().getOut();
        SymbolicTensor in = model.inputs().get(0);
        w.printf(Locale.ROOT, "wrote %s (%,d bytes): model %s from %s/%s, %,d parameters, opset %d; input '%s' [N, %s], output 'logits'%s%n",
                out, Files.size(out), registry, checkpoint, name, model.totalParams(), OnnxExport.OPSET, in.node().layer().name(),
                String.join(", ", java.util.Arrays.stream(in.shape().dims()).mapToObj(Integer::toString).toList()),
                softmax ? " and 'probabilities'" : "");
        if (config.subtractPixelMean()) {
            w.println("note: this run subtracted the training set's mean image from every input; the ONNX graph does not, so do it before "
                    + "feeding the model");
        }
        w.flush();
        return ExitCodes.OK;
    }
}
