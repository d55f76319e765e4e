package dev.convkit.cli;

import dev.convkit.data.BatchPipeline;
import dev.convkit.data.CifarReader;
import dev.convkit.data.Dataset;
import dev.convkit.data.Datasets;
import dev.convkit.data.PipelineOptions;
import dev.convkit.data.Split;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convkit predict --checkpoint DIR --input FILE}: the predicted class of the first images of a file. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Print the predicted class and its probability for the first images of an IDX image file (MNIST format, .gz or raw) "
                + "or a CIFAR binary batch (.bin or .bin.gz), or for test images by index, and whether it matches the label when there is one."},
        footer = {"", "Examples:", "  convkit predict --checkpoint runs/mnist --input data/mnist/t10k-images-idx3-ubyte.gz --count 8",
                "  convkit predict --checkpoint runs/mnist --input 100 --count 3      (test images 100, 101, 102)"})
final class PredictCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Run folder written by 'convkit fit'.")
    Path checkpoint;

    @Option(names = "--best", description = "Use the best-val_accuracy checkpoint instead of the latest.")
    boolean best;

    @Option(names = "--input", required = true, paramLabel = "FILE|INDEX",
            description = "IDX image file, CIFAR binary batch, or the index of the first image of the run's test split.")
    String input;

    @Option(names = "--count", defaultValue = "10", paramLabel = "N", description = "How many images from the start of the file (default ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder searched first for the training data (class names, pixel mean).")
    Path dataDir;

    @Mixin EngineOptions engine = new EngineOptions();

    @Override public Integer call() throws IOException {
        Choices.positive("--count", count);
        PrintWriter out = spec.commandLine().getOut();
        try (TrainedRun run = TrainedRun.open(checkpoint, best, null, dataDir, engine, out)) {
            String ds = run.config.dataset();
            InputImages images;
            if (input.matches("\\d+") && !Files.exists(Path.of(input))) {
                int first = Integer.parseInt(input);
                images = InputImages.slice(Datasets.load(ds, Split.TEST, DataSource.locator(run.config.dataDir()), first + count), first, count);
            } else {
                List<String> names = Datasets.load(ds, Split.TEST, DataSource.locator(run.config.dataDir()), 1).classNames();
                CifarReader.Labels kind = ds.equals("cifar10") ? CifarReader.Labels.CIFAR10 : ds.equals("cifar100") ? CifarReader.Labels.CIFAR100_FINE : null;
                images = InputImages.read(Path.of(input), count, kind, names);
            }
            Dataset data = images.data();
            if (!data.imageShape().equals(run.model.inputs().get(0).shape())) {
                throw CliException.usage("--input " + input + " holds images of shape " + data.imageShape() + " but the model was trained on "
                        + run.model.inputs().get(0).shape() + " (" + ds + ")");
            }
            float[] probs;
            try (BatchPipeline p = new BatchPipeline(data, PipelineOptions.evaluation(Math.min(data.size(), 256)).withNormalizer(run.normalizer))) {
                probs = run.trainer.predict(p);
            }
            print(out, data, images.labelled(), probs);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void print(PrintWriter out, Dataset data, boolean labelled, float[] probs) {
        int k = data.numClasses(), correct = 0;
        List<String> names = data.classNames();
        for (int i = 0; i < data.size(); i++) {
            int best = 0;
            for (int j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "image %d: %s (p %.4f)", i, label(names, best), probs[i * k + best]));
            if (labelled) {
                int truth = data.labels()[i];
                boolean ok = truth == best;
                if (ok) correct++;
                sb.append(" - label ").append(label(names, truth)).append(ok ? " - correct" : " - wrong");
            }
            out.println(sb);
        }
        if (labelled) out.printf(Locale.ROOT, "%d of %d correct (accuracy %.4f)%n", correct, data.size(), (double) correct / data.size());
    }

    private static String label(List<String> names, int c) {
        String n = names.get(c);
        return n.equals(Integer.toString(c)) ? n : c + " " + n;
    }
}
