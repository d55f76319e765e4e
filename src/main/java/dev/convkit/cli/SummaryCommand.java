package dev.convkit.cli;

import dev.convkit.backend.Backend;
import dev.convkit.backend.Backends;
import dev.convkit.exec.CompiledModel;
import dev.convkit.graph.Model;
import dev.convkit.graph.ModelDiagram;
import dev.convkit.models.ModelConfig;
import dev.convkit.tensor.Shape;
import dev.convkit.train.Optimizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code convkit summary --model X}: the Keras-like layer table of a zoo model, built symbolically (no engine, no
 * data), and optionally its diagram.
 */
@Command(name = "summary", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print a model's layer table (Keras model.summary() style) and parameter counts; needs no engine and no data.",
                "With --diagram, also draw the graph as .svg or .png (one box per layer, top to bottom; needs no Graphviz) "
                        + "or write its Graphviz source (.dot); --diagram-engine dot renders with Graphviz's 'dot' instead.",
                "With --batch-size, open the engine and print the bytes planned per arena for a training step and for inference, "
                        + "before anything is allocated; --measure also runs one training step and compares the plan with the growth "
                        + "of the process's peak resident memory (cpu engine)."},
        footer = {"", "Example:", "  convkit summary --model resnet20v1 --batch-size 128 --engine cpu --measure"})
final class SummaryCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", description = "Zoo model (see 'convkit models').")
    String model;

    @Option(names = "--onnx", paramLabel = "FILE", description = "Instead of a zoo model: the model of an ONNX file, as 'fit --init-from' imports it.")
    Path onnx;

    @Option(names = "--dataset", paramLabel = "NAME", description = "Build for this dataset's image shape and classes: mnist, fashion_mnist, cifar10, cifar100.")
    String dataset;

    @Option(names = "--input", split = ",", paramLabel = "C,H,W", description = "Input shape without batch, e.g. 3,32,32 (overrides --dataset).")
    int[] input;

    @Option(names = "--classes", paramLabel = "N", description = "Number of classes (overrides --dataset).")
    Integer classes;

    @Option(names = "--depth", paramLabel = "N", description = "Depth of the generic families (resnet_v1, resnet_v2, densenet_bc).")
    Integer depth;

    @Option(names = "--growth-rate", paramLabel = "K", description = "Growth rate of densenet_bc.")
    Integer growthRate;

    @Option(names = "--diagram", paramLabel = "FILE", description = "Write the model graph to FILE (.svg, .png or .dot).")
    Path diagram;

    @Option(names = "--diagram-engine", defaultValue = "java", paramLabel = "NAME",
            description = "Who draws --diagram: java (built in, default) or dot (Graphviz's dot program, which must be installed; "
                    + "any of its formats).")
    String diagramEngine;

    @Option(names = "--batch-size", paramLabel = "N", description = "Print the memory plan of a training step and of inference at this batch size.")
    Integer batchSize;

    @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "NAME", description = "Optimizer whose state the plan counts: sgd, adam or rmsprop (default ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--measure", description = "With --batch-size: run one real training step and compare its peak resident memory growth with the plan.")
    boolean measure;

    @Mixin EngineOptions engine = new EngineOptions();

    @Override public Integer call() throws IOException {
        if (measure && batchSize == null) throw CliException.usage("--measure needs --batch-size N");
        if (batchSize != null) Choices.positive("--batch-size", batchSize);
        Model m = build();
        if (diagram != null) {
            checkDiagramOptions();
            Path parent = diagram.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) throw CliException.usage("cannot write --diagram " + diagram + ": folder " + parent + " does not exist");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(m.summary());
        if (diagram != null) writeDiagram(m, out);
        if (batchSize != null) printMemory(m, out);
        out.flush();
        return ExitCodes.OK;
    }

    private void printMemory(Model m, PrintWriter out) throws IOException {
        Optimizer opt = Optimizer.byName(Choices.optimizer(optimizer));
        Backends.Choice choice = engine.choose();
        if (measure && !choice.provider().name().equals("cpu")) {
            throw CliException.usage("--measure compares the plan with the process's resident memory, which holds the arenas of the cpu engine only; "
                    + "use --engine cpu");
        }
        out.println();
        try (Backend backend = engine.open(out, choice)) {
            long measured = measure ? MemoryReport.measureTrainingStep(m, backend, opt.updateOp(), batchSize) : -1;
            MemoryReport.Plan plan;
            try (CompiledModel cm = new CompiledModel(m, backend, opt.updateOp())) {
                plan = MemoryReport.plan(cm, batchSize);
            }
            out.print(MemoryReport.table(plan, String.format(Locale.ROOT, "Memory plan of %s, batch %d, %s, engine %s (planned before anything is allocated):",
                    m.name(), batchSize, opt.name(), choice.provider().name())));
            if (measure) {
                out.printf(Locale.ROOT, "measured: one training step grew the peak resident memory by %s; planned %s; difference %+.2f MiB "
                                + "(besides the arenas the process grows by the JVM's compiled code and classes and oneDNN's kernels, "
                                + "typically 20-40 MiB)%n",
                        MemoryReport.mib(measured), MemoryReport.mib(plan.trainingTotal()), (measured - plan.trainingTotal()) / 1048576.0);
            }
        }
    }

    Model build() throws IOException {
        if (onnx != null) {
            if (model != null || dataset != null || input != null || classes != null || depth != null || growthRate != null) {
                throw CliException.usage("--onnx FILE describes the whole model; leave out --model, --dataset, --input, --classes, --depth "
                        + "and --growth-rate");
            }
            return dev.convkit.onnx.OnnxImport.read(onnx).model();
        }
        if (model == null) throw CliException.usage("give --model NAME (a zoo model, see 'convkit models') or --onnx FILE");
        Choices.model(model);
        ModelConfig config = ModelConfig.defaults();
        if (dataset != null) {
            Shape s = DatasetShapes.image(dataset);
            config = config.withInput(s.dims()).withClasses(DatasetShapes.classes(dataset));
        }
        if (input != null) {
            if (input.length != 3) throw CliException.usage("--input needs three numbers C,H,W (e.g. 3,32,32), got " + input.length);
            for (int d : input) Choices.positive("--input", d);
            config = config.withInput(input);
        }
        if (classes != null) config = config.withClasses(Choices.positive("--classes", classes));
        if (depth != null) config = config.withDepth(Choices.positive("--depth", depth));
        if (growthRate != null) config = config.withGrowthRate(Choices.positive("--growth-rate", growthRate));
        return Models.build(model, config);
    }

    /**
     * --diagram-engine and --diagram's format, checked before anything is built or written. No diagram type appears in
     * this class's fields or method signatures: picocli reflects over every command at start-up, and the diagram
     * classes should load only when a diagram is drawn.
     */
    private void checkDiagramOptions() {
        String engineName = diagramEngine.toLowerCase(Locale.ROOT);
        if (!engineName.equals("java") && !engineName.equals("dot")) {
            throw CliException.usage("unknown --diagram-engine '" + diagramEngine + "'; valid engines: java, dot");
        }
        String format = ModelDiagram.format(diagram);
        if (engineName.equals("java") && !ModelDiagram.JAVA_FORMATS.contains(format)) {
            throw CliException.usage("cannot draw --diagram " + diagram + ": format '" + format + "' is not one of "
                    + String.join(", ", ModelDiagram.JAVA_FORMATS) + " (Graphviz's other formats: add --diagram-engine dot)");
        }
    }

    private void writeDiagram(Model m, PrintWriter out) throws IOException {
        ModelDiagram.Engine drawer = diagramEngine.equalsIgnoreCase("dot") ? ModelDiagram.Engine.DOT : ModelDiagram.Engine.JAVA;
        try {
            ModelDiagram.write(m, diagram, drawer);
        } catch (IOException e) {
            if (drawer == ModelDiagram.Engine.DOT) {
                throw new CliException(e.getMessage() + ". Install the graphviz package, or leave out --diagram-engine dot to draw "
                        + "it without Graphviz", ExitCodes.FAILURE, e);
            }
            throw e;
        }
        boolean graphviz = drawer == ModelDiagram.Engine.DOT && !ModelDiagram.format(diagram).equals("dot");
        out.println("diagram: " + diagram + (graphviz ? " (drawn by Graphviz; its source beside it, .dot)" : ""));
    }
}
