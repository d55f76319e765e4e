package dev.convkit.cli;

import dev.convkit.backend.Backend;
import dev.convkit.data.Dataset;
import dev.convkit.data.Normalizer;
import dev.convkit.data.Split;
import dev.convkit.graph.Model;
import dev.convkit.graph.Precision;
import dev.convkit.train.Checkpoint;
import dev.convkit.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A finished (or interrupted) {@code fit} run opened for inference: its checkpoint, the settings it was trained
 * with, the model rebuilt from the checkpoint's record and loaded with its weights on an engine, and the
 * input normalisation of training (the training set's pixel mean, recomputed from the same training records).
 */
final class TrainedRun implements AutoCloseable {
    final Checkpoint checkpoint;
    final FitConfig config;
    final Model model;
    final Normalizer normalizer;
    private final Backend backend;
    final Trainer trainer;

    private TrainedRun(Checkpoint checkpoint, FitConfig config, Model model, Normalizer normalizer, Backend backend, Trainer trainer) {
        this.checkpoint = checkpoint;
        this.config = config;
        this.model = model;
        this.normalizer = normalizer;
        this.backend = backend;
        this.trainer = trainer;
    }

    /**
     * Opens checkpoint {@code best} or latest of run folder {@code dir}. {@code modelOverride} (may be null) builds
     * another zoo model than the recorded one; the checkpoint must fit it. {@code dataDir} (may be null) overrides
     * where the training data for the normaliser is read.
     */
    static TrainedRun open(Path dir, boolean best, String modelOverride, Path dataDir, EngineOptions engine, PrintWriter out) throws IOException {
        if (!Files.isDirectory(dir)) throw CliException.usage("--checkpoint " + dir + ": no such folder");
        String name = best ? Checkpoint.BEST : Checkpoint.LATEST;
        if (!Checkpoint.exists(dir, name)) {
            throw CliException.usage("--checkpoint " + dir + " holds no '" + name + "' checkpoint (" + name + ".json)"
                    + (best ? "; leave out --best to use the latest one" : "; give the run folder a 'convkit fit --out' wrote"));
        }
        Checkpoint c = Checkpoint.load(dir, name);
        FitConfig config = FitConfig.fromRunInfo(c.runInfo(), dir);
        if (dataDir != null) config = config.withDataDir(dataDir);
        String recorded = ModelShapes.registryName(c.modelConfig());
        String registry = modelOverride != null ? Choices.model(modelOverride) : recorded != null ? recorded : config.model();
        Model model = Models.build(registry, ModelShapes.fromRecord(c.modelConfig()));
        c.requireCompatible(model);
        Normalizer normalizer = Normalizer.none();
        if (config.subtractPixelMean()) {
            Dataset train = DataSource.load(config.dataset(), Split.TRAIN, config.dataDir(), config.limitTrain());
            normalizer = DataSource.normalizer(true, train);
            out.printf(Locale.ROOT, "normalisation: pixel mean of the %,d %s training images, as in training%n", train.size(), config.dataset());
        }
        Precision chosen = engine.precision(config.precision());   // checks a --precision name before the engine opens
        Backend backend = engine.open(out);
        Trainer trainer = null;
        try {
            Precision precision = precisionOn(backend, chosen, engine.precision != null, config, out);
            trainer = Trainer.builder(model, backend, null).precision(precision).build();
            trainer.loadWeights(c);
        } catch (RuntimeException e) {
            if (trainer != null) trainer.close();
            backend.close();
            throw e;
        }
        int epochs = c.progress().epochsCompleted();
        out.printf(Locale.ROOT, "checkpoint: %s/%s, model %s after %d epoch%s%n", dir, name, registry, epochs, epochs == 1 ? "" : "s");
        out.flush();
        return new TrainedRun(c, config, model, normalizer, backend, trainer);
    }

    /**
     * The policy to run under: {@code --precision} when given, else the run's own (a bf16 run is evaluated in bf16,
     * which reproduces its logged accuracy), said on one line; a bf16 run on an engine without bf16 falls back to
     * fp32 with the reason (checkpoints are the same under both), while an explicit {@code --precision bf16} there
     * fails as in {@code fit}.
     */
    private static Precision precisionOn(Backend backend, Precision chosen, boolean explicit, FitConfig config, PrintWriter out) {
        if (explicit || chosen == Precision.FP32) return chosen;
        String missing = backend.unsupportedType(chosen.computeType());
        if (missing == null) {
            out.println("precision: " + chosen.kerasName() + ", as the run was trained (--precision fp32 for float32)");
            return chosen;
        }
        out.println("precision: float32: the run was trained in " + config.precision() + " but " + missing
                + "; the weights are the same under both");
        return Precision.FP32;
    }

    @Override public void close() {
        trainer.close();
        backend.close();
    }
}
