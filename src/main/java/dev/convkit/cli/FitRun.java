package dev.convkit.cli;

import dev.convkit.backend.Backend;
import dev.convkit.backend.Backends;
import dev.convkit.cli.plot.TrainingPlots;
import dev.convkit.train.progress.ProgressBar;
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
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs {@code fit}: checks the run folder, opens the engine, loads the data, builds the model and trains it with the
 * progress bar, the per-epoch checkpoint ({@code checkpoint.*}), the best-val_accuracy checkpoint ({@code best.*}),
 * {@code log.csv} and, at the end, {@code loss.png/.svg} and {@code accuracy.png/.svg}. Options, engine, data and model are all
 * checked before the run folder is made or the banner printed. Ctrl-C or SIGTERM stops at the next step ({@link Interrupts}),
 * keeps the last complete checkpoint, draws the plots and exits with 130 (SIGINT) or 143 (SIGTERM).
 */
final class FitRun {
    /** What may change when a run is resumed: the total epochs and where the data is read from. Null = unchanged. */
    record ResumeOverrides(Integer epochs, Path dataDir) {}

    static final String LOG = "log.csv";

    private final PrintWriter out;
    private final EngineOptions engine;
    private final ProgressBar.Mode mode;
    private final boolean offline;
    private Path initFrom;
    private boolean diagnoseNonFinite;

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

    /**
     * {@code true} ({@code --verbose}): a NaN or infinite loss is followed by the op-by-op run that names the first op
     * whose output is not finite; otherwise the failure says how to ask for it.
     */
    FitRun diagnoseNonFinite(boolean on) {
        this.diagnoseNonFinite = on;
        return this;
    }

    /** Initial weights for a fresh run from this ONNX file (null: the initialisers). */
    FitRun initFrom(Path onnx) {
        this.initFrom = onnx;
        return this;
    }

    /**
     * What {@link #prepare} checked and loaded before anything is created: the engine chosen and opened (the
     * engine's own checks of the options, such as a thread count its pool cannot take, happen when it opens), the
     * data, the model.
     */
    private record Prepared(FitConfig config, Backends.Choice choice, Backend backend, Dataset train, Dataset test, Model model) {}

    /** A fresh run into {@code dir}. */
    int start(FitConfig config, Path dir, boolean overwrite) throws IOException {
        checkFolder(dir);
        if (!overwrite && Checkpoint.exists(dir, Checkpoint.LATEST)) {
            throw CliException.usage("--out " + dir + " already holds a run (" + Checkpoint.LATEST + ".json); continue it with --resume " + dir
                    + ", replace it with --overwrite, or choose another --out");
        }
        Prepared p = prepare(config);
        try {
            createFolder(dir);
        } catch (RuntimeException e) {
            p.backend().close();
            throw e;
        }
        return train(p, dir, null);
    }

    /** Continues the run saved in {@code dir} with its own settings. */
    int resume(Path dir, ResumeOverrides o) throws IOException {
        if (!Files.isDirectory(dir)) throw CliException.usage("--resume " + dir + ": no such folder");
        if (!Checkpoint.exists(dir, Checkpoint.LATEST)) {
            throw CliException.usage("--resume " + dir + ": the folder holds no checkpoint (" + Checkpoint.LATEST + ".json); start a run with --out");
        }
        checkFolder(dir);
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
        Prepared p = prepare(config);
        out.println("resuming " + dir + " after epoch " + done + " of " + config.epochs());
        return train(p, dir, c);
    }

    /**
     * Everything that can be wrong is found here, before a folder is made or a line is printed: the engine options and
     * the engine's availability, the data files, the model for the data's shapes.
     */
    private Prepared prepare(FitConfig c) {
        Backends.Choice choice = engine.choose();
        Dataset train = DataSource.load(c.dataset(), Split.TRAIN, c.dataDir(), c.limitTrain(), offline);
        Dataset test = DataSource.load(c.dataset(), Split.TEST, c.dataDir(), c.limitTest(), offline);
        Model model = Models.build(c.model(), ModelShapes.config(train));
        return new Prepared(c, choice, engine.openQuietly(choice), train, test, model);
    }

    /** Trains a prepared run; {@code resumed} is the run's last checkpoint, or null for a fresh run. */
    private int train(Prepared p, Path dir, Checkpoint resumed) throws IOException {
        FitConfig c = p.config();
        Dataset train = p.train(), test = p.test();
        Model model = p.model();
        out.printf(Locale.ROOT, "data: %s, %,d training and %,d test images of %s, %d classes%n", c.dataset(), train.size(), test.size(),
                train.imageShape(), train.numClasses());
        out.printf(Locale.ROOT, "model: %s, %,d parameters; %s, %s schedule, batch %d, %s%s%s%s%s%n", c.model(), model.totalParams(),
                c.buildOptimizer(), c.buildSchedule(), c.batchSize(), epochs(c.epochs()), c.augment() ? ", augmented (" + c.effectiveAugmentation().describe() + ")" : "",
                c.subtractPixelMean() ? ", pixel mean subtracted" : "",
                c.labelSmoothing() > 0 ? String.format(Locale.ROOT, ", label smoothing %.3g", c.labelSmoothing()) : "",
                c.weightDecay() > 0 ? String.format(Locale.ROOT, ", weight decay %.3g", c.weightDecay()) : "");
        if (c.recipe() != null) out.println("recipe: " + c.recipe());
        if (!c.precision().equals("fp32")) out.println("precision: " + Precision.of(c.precision()).kerasName() + " (bf16 activations, f32 weights, gradients and loss)");
        out.println("run folder: " + dir);
        out.println(p.choice().explain());
        Normalizer normalizer = DataSource.normalizer(c.subtractPixelMean(), train);
        PipelineOptions trainOptions = PipelineOptions.training(c.batchSize(), c.seed()).withNormalizer(normalizer)
                .withAugmentation(c.effectiveAugmentation());
        // Smoothed targets are dense rows; validation then reads exact one-hot rows, so val_loss stays the plain cross-entropy.
        boolean smoothed = c.labelSmoothing() > 0;
        if (smoothed) trainOptions = trainOptions.withLabelSmoothing(c.labelSmoothing());
        AtomicReference<Trainer> running = new AtomicReference<>();
        try (Backend backend = p.backend();
             Interrupts ctrlC = Interrupts.install(() -> { Trainer t = running.get(); if (t != null) t.interrupt(); }, FitRun::exitAtOnce);
             Trainer trainer = Trainer.builder(model, backend, c.buildOptimizer()).precision(Precision.of(c.precision()))
                     .weightDecay(c.weightDecay())
                     .schedule(c.buildSchedule())
                     .labels(smoothed ? Labels.ONE_HOT : Labels.SPARSE).progress(new ProgressBar(out, mode))
                     .runDirectory(dir).modelConfig(ModelShapes.record(c.model(), train)).runInfo(c.toRunInfo()).seed(c.seed())
                     .diagnoseNonFinite(diagnoseNonFinite).build();
             BatchPipeline trainData = new BatchPipeline(train, trainOptions);
             BatchPipeline testData = new BatchPipeline(test, PipelineOptions.evaluation(c.batchSize()).withNormalizer(normalizer)
                     .withOneHot(smoothed))) {
            running.set(trainer);
            if (ctrlC.received()) trainer.interrupt();      // Ctrl-C while the engine started: stop before the first step
            if (resumed != null) {
                trainer.resume(dir);
                ScheduleExtension.describe(resumed, c, trainData.batchesPerEpoch()).ifPresent(out::println);
            } else if (initFrom != null) {
                InitFromOnnx.load(initFrom, trainer, out);
            }
            History history;
            try {
                history = trainer.fit(trainData, testData, c.epochs(), callbacks(c, dir));
            } catch (TrainingException e) {
                writePlots(dir, c.model(), trainer.history());
                throw new CliException(e.messageWithHint("Run with --verbose to find the first op whose output is not finite."),
                        ExitCodes.FAILURE, e);
            }
            List<Path> plots = writePlots(dir, c.model(), history);
            if (trainer.wasInterrupted()) return stopped(dir, trainer, c.epochs(), ctrlC.exitCode());
            report(c, dir, history, plots);
        }
        return ExitCodes.OK;
    }

    /** After Ctrl-C or SIGTERM: where the run stopped, what the folder keeps, and the command that continues it. */
    private int stopped(Path dir, Trainer trainer, int total, int exitCode) {
        int done = trainer.epochsCompleted();
        String kept = done == 0 ? "no epoch was complete, so " + dir + " holds no checkpoint; start it again"
                : dir + " keeps the checkpoint after epoch " + done + "; continue with: convkit fit --resume " + dir;
        out.println("stopped in epoch " + (done + 1) + " of " + total + "; " + kept);
        out.flush();
        return exitCode;
    }

    /** A second Ctrl-C or SIGTERM: no more waiting for the step to finish. */
    private static void exitAtOnce(int exitCode) {
        System.err.println();
        System.err.println("convkit: interrupted twice; exiting at once (the checkpoint of the last complete epoch is intact)");
        System.err.flush();
        Runtime.getRuntime().halt(exitCode);
    }

    private static Callback[] callbacks(FitConfig c, Path dir) {
        List<Callback> list = new ArrayList<>();
        list.add(new CsvLogger(dir.resolve(LOG)));
        list.add(ModelCheckpoint.bestValAccuracy(dir));
        ReduceLROnPlateau plateau = c.buildPlateau();
        if (plateau != null) list.add(plateau);
        return list.toArray(new Callback[0]);
    }

    /** loss and accuracy charts (PNG and SVG); a failure to draw is reported, not fatal (the run itself succeeded). */
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
                // the note says where and after how long the number was measured; the recipe's own epochs may differ
                out.println("reported: " + band + (a.note() != null ? " (" + a.note() + ")" : r.epochs() == null ? "" : " after " + epochs(r.epochs())));
            }
        }
        List<String> files = new ArrayList<>(List.of(Checkpoint.LATEST + ".safetensors", Checkpoint.BEST + ".safetensors", LOG));
        for (Path p : plots) files.add(p.getFileName().toString());
        out.println("wrote " + dir + ": " + String.join(", ", files));
        out.flush();
    }

    private static String epochs(int n) { return n == 1 ? "1 epoch" : n + " epochs"; }

    private static String pct(double f) { return String.format(Locale.ROOT, "%.2f%%", f * 100); }

    /**
     * Checks, without creating anything, that {@code dir} is or can become a writable folder: it is one, or its
     * nearest existing ancestor is a writable folder. Any problem is a usage error naming the folder.
     */
    static void checkFolder(Path dir) {
        Path abs = dir.toAbsolutePath();
        Path p = abs;
        while (p != null && !Files.exists(p)) p = p.getParent();
        String problem = p == null ? "no part of the path exists"
                : !Files.isDirectory(p) ? p + " is not a folder"
                : !Files.isWritable(p) ? p + " is not writable" : null;
        if (problem != null) {
            throw CliException.usage("cannot use " + abs + " as the run folder: " + problem + "; choose a writable folder with --out");
        }
    }

    /** Creates the run folder and proves it is writable; any problem is a usage error naming the folder. */
    static void createFolder(Path dir) {
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
