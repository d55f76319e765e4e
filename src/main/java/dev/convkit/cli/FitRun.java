package dev.convkit.cli;

import dev.convkit.backend.Backend;
import dev.convkit.cli.plot.TrainingPlots;
import dev.convkit.cli.progress.ProgressBar;
import dev.convkit.data.BatchPipeline;
import dev.convkit.data.Dataset;
import dev.convkit.data.Normalizer;
import dev.convkit.data.PipelineOptions;
import dev.convkit.data.Split;
import dev.convkit.graph.Model;
import dev.convkit.graph.Precision;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.train.Callback;
import dev.convkit.train.Checkpoint;
import dev.convkit.train.CsvLogger;
import dev.convkit.train.EpochLogs;
import dev.convkit.train.History;
import dev.convkit.train.ModelCheckpoint;
import dev.convkit.train.ReduceLROnPlateau;
import dev.convkit.train.Trainer;
import dev.convkit.train.TrainingException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs {@code fit}: checks the run folder, opens the engine, loads the data, builds the model and trains it with the
 * progress bar, the per-epoch checkpoint ({@code checkpoint.*}), the best-val_accuracy checkpoint ({@code best.*}),
 * {@code log.csv} and, at the end, {@code loss.png} and {@code accuracy.png}.
 */
final class FitRun {
    /** What may change when a run is resumed: the total epochs and where the data is read from. Null = unchanged. */
    record ResumeOverrides(Integer epochs, Path dataDir) {}

    static final String LOG = "log.csv";

    private final PrintWriter out;
    private final EngineOptions engine;
    private final ProgressBar.Mode mode;
    private final boolean offline;

    FitRun(PrintWriter out, EngineOptions engine, String progressMode, boolean offline) {
        this.out = out;
        this.engine = engine;
        this.offline = offline;
        try {
            this.mode = ProgressBar.Mode.parse(progressMode);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--progress: " + e.getMessage());
        }
    }

    /** A fresh run into {@code dir}. */
    int start(FitConfig config, Path dir, boolean overwrite) throws IOException {
        prepareFolder(dir);
        if (!overwrite && Checkpoint.exists(dir, Checkpoint.LATEST)) {
            throw CliException.usage("--out " + dir + " already holds a run (" + Checkpoint.LATEST + ".json); continue it with --resume " + dir
                    + ", replace it with --overwrite, or choose another --out");
        }
        return train(config, dir, false);
    }

    /** Continues the run saved in {@code dir} with its own settings. */
    int resume(Path dir, ResumeOverrides o) throws IOException {
        if (!Files.isDirectory(dir)) throw CliException.usage("--resume " + dir + ": no such folder");
        if (!Checkpoint.exists(dir, Checkpoint.LATEST)) {
            throw CliException.usage("--resume " + dir + ": the folder holds no checkpoint (" + Checkpoint.LATEST + ".json); start a run with --out");
        }
        Checkpoint c = Checkpoint.load(dir);
        FitConfig config = FitConfig.fromRunInfo(c.runInfo(), dir);
        if (o.epochs() != null) config = config.withEpochs(o.epochs());
        if (o.dataDir() != null) config = config.withDataDir(o.dataDir());
        config = config.withPrecision(engine.precision(config.precision()).cliName());
        int done = c.progress().epochsCompleted();
        if (config.epochs() <= done) {
            throw CliException.usage("the run in " + dir + " has already completed " + done + " of " + config.epochs() + " epochs; pass --epochs N with N > "
                    + done + " to train further");
        }
        prepareFolder(dir);
        out.println("resuming " + dir + " after epoch " + done + " of " + config.epochs());
        return train(config, dir, true);
    }

    private int train(FitConfig c, Path dir, boolean resuming) throws IOException {
        // Data and model first: a missing file or a shape the model cannot take fails before any engine starts.
        Dataset train = DataSource.load(c.dataset(), Split.TRAIN, c.dataDir(), c.limitTrain(), offline);
        Dataset test = DataSource.load(c.dataset(), Split.TEST, c.dataDir(), c.limitTest(), offline);
        out.printf(Locale.ROOT, "data: %s, %,d training and %,d test images of %s, %d classes%n", c.dataset(), train.size(), test.size(),
                train.imageShape(), train.numClasses());
        Model model = Models.build(c.model(), ModelShapes.config(train));
        out.printf(Locale.ROOT, "model: %s, %,d parameters; %s, %s schedule, batch %d, %s%s%s%s%n", c.model(), model.totalParams(),
                c.buildOptimizer(), c.buildSchedule(), c.batchSize(), epochs(c.epochs()), c.augment() ? ", augmented" : "",
                c.subtractPixelMean() ? ", pixel mean subtracted" : "",
                c.labelSmoothing() > 0 ? String.format(Locale.ROOT, ", label smoothing %.3g", c.labelSmoothing()) : "");
        if (c.recipe() != null) out.println("recipe: " + c.recipe());
        if (!c.precision().equals("fp32")) out.println("precision: " + Precision.of(c.precision()).kerasName() + " (bf16 activations, f32 weights, gradients and loss)");
        out.println("run folder: " + dir);
        Normalizer normalizer = DataSource.normalizer(c.subtractPixelMean(), train);
        PipelineOptions trainOptions = PipelineOptions.training(c.batchSize(), c.seed()).withNormalizer(normalizer)
                .withAugmentation(c.effectiveAugmentation());
        // Smoothed targets are dense rows; validation then reads exact one-hot rows, so val_loss stays the plain cross-entropy.
        boolean smoothed = c.labelSmoothing() > 0;
        if (smoothed) trainOptions = trainOptions.withLabelSmoothing(c.labelSmoothing());
        try (Backend backend = engine.open(out);
             Trainer trainer = Trainer.builder(model, backend, c.buildOptimizer()).precision(Precision.of(c.precision()))
                     .schedule(c.buildSchedule())
                     .labels(smoothed ? Labels.ONE_HOT : Labels.SPARSE).progress(new ProgressBar(out, mode))
                     .runDirectory(dir).modelConfig(ModelShapes.record(c.model(), train)).runInfo(c.toRunInfo()).seed(c.seed()).build();
             BatchPipeline trainData = new BatchPipeline(train, trainOptions);
             BatchPipeline testData = new BatchPipeline(test, PipelineOptions.evaluation(c.batchSize()).withNormalizer(normalizer).withOneHot(smoothed))) {
            if (resuming) trainer.resume(dir);
            History history;
            try {
                history = trainer.fit(trainData, testData, c.epochs(), callbacks(c, dir));
            } catch (TrainingException e) {
                writePlots(dir, c.model(), trainer.history());
                throw new CliException(e.getMessage(), ExitCodes.FAILURE, e);
            }
            report(c, dir, history, writePlots(dir, c.model(), history));
        }
        return ExitCodes.OK;
    }

    private static Callback[] callbacks(FitConfig c, Path dir) {
        List<Callback> list = new ArrayList<>();
        list.add(new CsvLogger(dir.resolve(LOG)));
        list.add(ModelCheckpoint.bestValAccuracy(dir));
        ReduceLROnPlateau plateau = c.buildPlateau();
        if (plateau != null) list.add(plateau);
        return list.toArray(new Callback[0]);
    }

    /** loss.png and accuracy.png; a failure to draw is reported, not fatal (the run itself succeeded). */
    private List<Path> writePlots(Path dir, String model, History history) {
        if (history.size() == 0) return List.of();
        Map<String, double[]> series = new LinkedHashMap<>();
        for (String k : new String[] {EpochLogs.LOSS, EpochLogs.VAL_LOSS, EpochLogs.ACCURACY, EpochLogs.VAL_ACCURACY}) series.put(k, history.series(k));
        try {
            return TrainingPlots.write(dir, model, series, 1);
        } catch (IOException | RuntimeException | Error e) {
            out.println("warning: the loss and accuracy plots could not be drawn: " + ErrorReporter.describe(e));
            return List.of();
        }
    }

    private void report(FitConfig c, Path dir, History history, List<Path> plots) {
        EpochLogs last = history.last();
        if (last.has(EpochLogs.VAL_ACCURACY)) {
            out.printf(Locale.ROOT, "test accuracy after %s: %.4f (val_loss %.4f)%n", epochs(last.epoch() + 1), last.get(EpochLogs.VAL_ACCURACY),
                    last.get(EpochLogs.VAL_LOSS));
        }
        if (c.recipe() != null) {
            Recipe r = Recipe.load(c.recipe());
            if (r.reportedAccuracy() != null && (r.dataset() == null || r.dataset().equals(c.dataset()))) {
                Recipe.ReportedAccuracy a = r.reportedAccuracy();
                String band = a.min() == a.max() ? pct(a.min()) : pct(a.min()) + "-" + pct(a.max());
                out.println("the seed reports " + band + (r.epochs() == null ? "" : " after " + epochs(r.epochs())));
            }
        }
        List<String> files = new ArrayList<>(List.of(Checkpoint.LATEST + ".safetensors", Checkpoint.BEST + ".safetensors", LOG));
        for (Path p : plots) files.add(p.getFileName().toString());
        out.println("wrote " + dir + ": " + String.join(", ", files));
        out.flush();
    }

    private static String epochs(int n) { return n == 1 ? "1 epoch" : n + " epochs"; }

    private static String pct(double f) { return String.format(Locale.ROOT, "%.2f%%", f * 100); }

    /** Creates the run folder and proves it is writable; any problem is a usage error naming the folder. */
    static void prepareFolder(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".convkit-write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw CliException.usage("cannot use " + dir.toAbsolutePath() + " as the run folder: " + ErrorReporter.describe(e)
                    + "; choose a writable folder with --out");
        }
    }
}
