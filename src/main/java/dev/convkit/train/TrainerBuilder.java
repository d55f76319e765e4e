package dev.convkit.train;

import dev.convkit.backend.Backend;
import dev.convkit.exec.CompiledModel;
import dev.convkit.graph.Model;
import dev.convkit.graph.Precision;
import dev.convkit.graph.ProgramBuilder;
import dev.convkit.graph.ProgramBuilder.Labels;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/** Options of a {@link Trainer} ({@link Trainer#builder}); every one has a default. */
public final class TrainerBuilder {
    final Model model;
    final Backend backend;
    final Optimizer optimizer;
    Labels labels = Labels.SPARSE;
    LearningRateSchedule schedule = LearningRateSchedule.constant();
    ProgressListener progress;              // null: the default, a ProgressBar on System.out
    Path runDirectory;
    Map<String, Object> modelConfig;
    Map<String, Object> runInfo = Map.of();
    long seed;
    Precision precision = Precision.FP32;
    double weightDecay;
    boolean diagnoseNonFinite;

    TrainerBuilder(Model model, Backend backend, Optimizer optimizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.optimizer = optimizer;
    }

    /** Label format of the training loss: SPARSE class indices (default) or ONE_HOT (the pipeline must fill one-hot rows). */
    public TrainerBuilder labels(Labels l) { labels = Objects.requireNonNull(l); return this; }

    /** The learning-rate schedule (default {@link LearningRateSchedule#constant()}). */
    public TrainerBuilder schedule(LearningRateSchedule s) { schedule = Objects.requireNonNull(s); return this; }

    /**
     * Receives per-batch and per-epoch progress. Default, as Keras's {@code verbose=1}: a {@link ProgressBar} on
     * standard output, redrawn in place on a terminal and as plain lines in a log ({@link ProgressBar.Mode#auto()},
     * {@code CONVKIT_PROGRESS} overrides it).
     */
    public TrainerBuilder progress(ProgressListener p) { progress = Objects.requireNonNull(p); return this; }

    /** {@code false}: no progress output at all (Keras's {@code verbose=0}); {@code true}: the default bar. */
    public TrainerBuilder verbose(boolean on) { progress = on ? null : ProgressListener.NONE; return this; }

    /** Folder for the per-epoch checkpoint (default: none is written). */
    public TrainerBuilder runDirectory(Path dir) { runDirectory = dir; return this; }

    /** How to rebuild the model, recorded in checkpoints (default: input shapes and class count). */
    public TrainerBuilder modelConfig(Map<String, Object> config) { modelConfig = config; return this; }

    /** Free-form, JSON-compatible description of the run recorded in checkpoints (e.g. CLI arguments). */
    public TrainerBuilder runInfo(Map<String, Object> info) { runInfo = Map.copyOf(info); return this; }

    /** Seed of parameter initialisation and of the pipelines the Dataset overloads create (default 0). */
    public TrainerBuilder seed(long s) { seed = s; return this; }

    /**
     * The precision policy (default {@link Precision#FP32}); {@link Precision#MIXED_BF16} computes and stores
     * activations in bf16 with f32 master weights, gradients, optimizer state and loss, as Keras's
     * {@code mixed_bfloat16}. Checkpoints are the same under both.
     */
    public TrainerBuilder precision(Precision p) { precision = Objects.requireNonNull(p, "precision"); return this; }

    /**
     * Coupled weight decay (default 0), PyTorch's {@code SGD(weight_decay=wd)}: the gradient of every kernel w
     * (conv, depthwise conv and dense kernels; not biases, BN parameters or moving statistics) gets wd·w added,
     * with any optimizer, on top of the l2 the architecture declares. It acts as the penalty (wd/2)·Σw², which
     * the reported training loss includes; evaluation losses (val_loss) do not.
     *
     * @throws IllegalArgumentException when {@code wd} is negative, NaN or infinite
     */
    public TrainerBuilder weightDecay(double wd) {
        weightDecay = ProgramBuilder.requireWeightDecay(wd);
        return this;
    }

    /**
     * {@code true}: when the loss becomes NaN or infinite, run the diverging batch again op by op
     * ({@link CompiledModel#firstNonFinite}) and name the first op whose output is not finite in the
     * {@link TrainingException}'s message. Costs nothing until a loss is non-finite. Default false.
     */
    public TrainerBuilder diagnoseNonFinite(boolean on) { diagnoseNonFinite = on; return this; }

    public Trainer build() { return new Trainer(this); }
}
