package dev.convkit.cli;

import dev.convkit.data.BatchPipeline;
import dev.convkit.data.Dataset;
import dev.convkit.data.PipelineOptions;
import dev.convkit.data.Split;
import dev.convkit.train.Metrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code convkit evaluate --checkpoint DIR}: loss and accuracy of a trained run on its dataset's test split. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print the loss, accuracy and top-5 accuracy of a run's checkpoint on the test split of the dataset it was trained on.")
final class EvaluateCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--checkpoint", required = true, paramLabel = "DIR", description = "Run folder written by 'convkit fit'.")
    Path checkpoint;

    @Option(names = "--best", description = "Use the best-val_accuracy checkpoint instead of the latest.")
    boolean best;

    @Option(names = "--model", paramLabel = "NAME", description = "Load the weights into this zoo model instead of the recorded one (they must fit).")
    String model;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder searched first for the dataset files.")
    Path dataDir;

    @Option(names = "--limit-test", paramLabel = "N", description = "Evaluate on the first N test images only.")
    Integer limitTest;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per batch (default: the training batch size).")
    Integer batchSize;

    @Mixin EngineOptions engine = new EngineOptions();

    @Override public Integer call() throws IOException {
        if (limitTest != null) Choices.positive("--limit-test", limitTest);
        if (batchSize != null) Choices.positive("--batch-size", batchSize);
        PrintWriter out = spec.commandLine().getOut();
        try (TrainedRun run = TrainedRun.open(checkpoint, best, model, dataDir, engine, out)) {
            Dataset test = DataSource.load(run.config.dataset(), Split.TEST, run.config.dataDir(), limitTest);
            int bs = batchSize != null ? batchSize : run.config.batchSize();
            Metrics m;
            try (BatchPipeline p = new BatchPipeline(test, PipelineOptions.evaluation(bs).withNormalizer(run.normalizer))) {
                m = run.trainer.evaluate(p);
            }
            out.printf(Locale.ROOT, "%s test, %,d images: loss: %.4f - accuracy: %.4f - top5_accuracy: %.4f%n", run.config.dataset(), m.samples(),
                    m.loss(), m.accuracy(), m.top5Accuracy());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
