package dev.convkit.train;

import dev.convkit.backend.Backend;
import dev.convkit.data.Batch;
import dev.convkit.data.BatchIterator;
import dev.convkit.data.BatchPipeline;
import dev.convkit.data.Dataset;
import dev.convkit.data.PipelineOptions;
import dev.convkit.exec.CompiledModel;
import dev.convkit.exec.CompiledModel.StepResult;
import dev.convkit.graph.Model;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.train.progress.ProgressBar;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains, evaluates and runs a model on an engine, Keras style.
 *
 * <pre>{@code
 * try (Backend cpu = Backends.open("cpu", BackendOptions.defaults());
 *      Trainer t = Trainer.builder(model, cpu, Optimizer.adam()).runDirectory(runDir).build();
 *      BatchPipeline train = new BatchPipeline(trainSet, PipelineOptions.training(128, 42));
 *      BatchPipeline val = new BatchPipeline(testSet, PipelineOptions.evaluation(256))) {
 *     History h = t.fit(train, val, 30, new CsvLogger(runDir.resolve("log.csv")), ReduceLROnPlateau.kerasResNet());
 * }
 * }</pre>
 *
 * <p><b>Epochs.</b> As Keras's {@code initial_epoch}: {@code fit(.., epochs)} runs from the epochs already completed
 * (0 when fresh, the checkpoint's after {@link #resume}) up to {@code epochs}. <b>Rate.</b> Starts at the optimizer's
 * base rate; the schedule sets it per epoch or per step, callbacks may change it. <b>Checkpoints.</b> With a run
 * folder, {@link Checkpoint#LATEST} is rewritten after every epoch (after the callbacks), so a crash loses at most
 * the running epoch; a NaN or infinite loss stops at once with a {@link TrainingException} and writes nothing.
 * <b>Data.</b> Batches come from {@link BatchPipeline}s; every model input receives the batch's images (the Keras
 * Y-network feeds one image to both branches). <b>Averaged weights.</b> With an optimizer that keeps the moving
 * average of the weights ({@link Optimizer#withEma}), training steps update the live weights and the average, while
 * validation, {@link #evaluate}, {@link #predict} and {@link #testStep} use the average, and checkpoints store it as
 * their parameters (the live weights travel with the training state), as Keras's fit ends with the average in place.
 * Use from one thread; closing frees the compiled model, not the engine.
 */
public final class Trainer implements TrainingHost, AutoCloseable {
    private final CompiledModel compiled;
    private final Optimizer optimizer;              // null: inference only
    private final Labels labels;
    private final LearningRateSchedule schedule;
    private final ProgressListener progress;
    private final Path runDirectory;                // null: no per-epoch checkpoints
    private final Map<String, Object> modelConfig, runInfo;
    private final long dataSeed;
    private final boolean diagnoseNonFinite;
    private double learningRate;
    private History history = new History();
    private int epochsCompleted;
    private Map<String, Object> dataState = Map.of();      // the training pipeline's, as checkpointed
    private Map<String, Object> resumedData;                // from resume(): the next fit's pipeline must match it
    private Map<String, Object> pendingCallbackStates;      // from resume(): restored at the next fit's start
    private List<Callback> callbacks = List.of();           // of the current or last fit
    private volatile boolean interruptRequested;            // set from any thread by interrupt(); cleared when a fit returns
    private boolean interrupted;                            // the last fit ended by interrupt()

    Trainer(TrainerBuilder b) {
        this.optimizer = b.optimizer;
        this.labels = b.labels;
        this.schedule = b.schedule;
        this.progress = b.progress != null ? b.progress
                : new ProgressBar(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true), ProgressBar.Mode.auto());
        this.runDirectory = b.runDirectory;
        this.modelConfig = b.modelConfig != null ? Map.copyOf(b.modelConfig) : defaultConfig(b.model);
        this.runInfo = b.runInfo;
        this.dataSeed = b.seed;
        this.diagnoseNonFinite = b.diagnoseNonFinite;
        this.compiled = new CompiledModel(b.model, b.backend, optimizer == null ? null : optimizer.updateOp(), b.precision, b.weightDecay);
        compiled.initialize(b.seed);
        if (optimizer != null && optimizer.emaOp() != null) compiled.averageWeights(optimizer.emaOp());
        this.learningRate = optimizer == null ? 0 : optimizer.learningRate();
    }

    /** A trainer for {@code model} on {@code backend}; {@code optimizer} null gives an inference-only trainer. */
    public static TrainerBuilder builder(Model model, Backend backend, Optimizer optimizer) {
        return new TrainerBuilder(model, backend, optimizer);
    }

    private static Map<String, Object> defaultConfig(Model m) {
        Map<String, Object> c = new LinkedHashMap<>();
        List<Object> inputs = new ArrayList<>();
        m.inputs().forEach(in -> inputs.add(in.shape().dims()));
        c.put("inputs", inputs);
        if (m.outputs().size() == 1 && m.outputs().get(0).shape().rank() == 1) c.put("classes", m.outputs().get(0).shape().dim(0));
        return c;
    }

    // ---- fitting -------------------------------------------------------------------------------------------

    /**
     * Trains from the epochs already completed up to {@code epochs}, validating on {@code val} (may be null) after
     * each, and returns the whole history (earlier epochs included).
     *
     * @throws TrainingException when the loss becomes NaN or infinite
     */
    public History fit(BatchPipeline train, BatchPipeline val, int epochs, Callback... callbacks) {
        requireOptimizer();
        if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
        checkData(train, "training");
        if (val != null) checkData(val, "validation");
        if (labels == Labels.ONE_HOT && !train.options().oneHot()) throw new IllegalArgumentException("the trainer uses one-hot labels "
                + "but the training pipeline does not make them; build it with PipelineOptions.withOneHot(true)");
        Map<String, Object> data = DataState.of(train);
        if (resumedData != null) DataState.requireSame(resumedData, data);
        resumedData = null;
        dataState = data;
        this.callbacks = List.of(callbacks);
        TrainingState state = new TrainingState(this, epochs, epochsCompleted > 0, train.batchesPerEpoch());
        for (Callback c : callbacks) c.onTrainBegin(state);
        if (pendingCallbackStates != null) {
            restoreCallbackStates(pendingCallbackStates);
            pendingCallbackStates = null;
        }
        EpochRunner runner = new EpochRunner(this, state, callbacks, progress);
        interrupted = false;
        for (int epoch = epochsCompleted; epoch < epochs && !state.stopRequested(); epoch++) {
            EpochLogs logs = interruptRequested ? null : runner.run(train, val, epoch);
            if (logs == null) {                            // interrupt(): the running epoch is abandoned, its checkpoint not written
                interrupted = true;
                progress.onInterrupted(epoch, epochs);
                break;
            }
            history.add(logs);
            epochsCompleted = epoch + 1;
            for (Callback c : callbacks) c.onEpochEnd(state, logs);
            if (runDirectory != null) saveCheckpointUnchecked(runDirectory, Checkpoint.LATEST);
            progress.onEpochEnd(logs, epochs);
        }
        interruptRequested = false;
        for (Callback c : callbacks) c.onTrainEnd(state);
        return new History(history);
    }

    /**
     * Asks a running {@link #fit} to stop at the next step boundary: the step running now finishes, the rest of its
     * epoch (validation included) is abandoned and writes no logs or checkpoint, so the run folder keeps the
     * checkpoint of the last complete epoch; {@code fit} then returns the history of the completed epochs and
     * {@link #wasInterrupted()} is true. Safe to call from any thread (a signal handler); a request made before
     * {@code fit} starts stops it before its first step.
     */
    public void interrupt() { interruptRequested = true; }

    /** True when the last {@link #fit} returned because of {@link #interrupt()} rather than after its last epoch. */
    public boolean wasInterrupted() { return interrupted; }

    boolean interruptRequested() { return interruptRequested; }

    /** Whether a non-finite loss is followed by the op-by-op diagnosis ({@link Builder#diagnoseNonFinite}). */
    boolean diagnosesNonFinite() { return diagnoseNonFinite; }

    /** {@link #fit(BatchPipeline, BatchPipeline, int, Callback...)} over pipelines made here: shuffled with the trainer's seed, no augmentation. */
    public History fit(Dataset train, Dataset val, int epochs, int batchSize, Callback... callbacks) {
        PipelineOptions opts = PipelineOptions.training(batchSize, dataSeed).withOneHot(labels == Labels.ONE_HOT);
        try (BatchPipeline t = new BatchPipeline(train, opts);
             BatchPipeline v = val == null ? null : new BatchPipeline(val, PipelineOptions.evaluation(batchSize))) {
            return fit(t, v, epochs, callbacks);
        }
    }

    private void restoreCallbackStates(Map<String, Object> states) {
        for (Callback c : callbacks) {
            String key = c.stateKey();
            if (key == null) continue;
            Object s = states.get(key);
            if (s == null) continue;                       // a callback the run did not have starts fresh
            if (!(s instanceof Map)) throw new CheckpointException("the checkpoint's state of callback " + c + " (key '" + key
                    + "') is not an object but " + s);
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) s;
            c.restoreState(m);
        }
    }

    private void checkData(BatchPipeline p, String what) {
        var want = compiled.model().inputs().get(0).shape();
        if (!p.dataset().imageShape().equals(want)) throw new IllegalArgumentException("the " + what + " data " + p.dataset()
                + " has images of shape " + p.dataset().imageShape() + " but model '" + compiled.model().name() + "' takes " + want);
    }

    // ---- evaluation and prediction --------------------------------------------------------------------------

    /**
     * Loss (cross-entropy plus the L2 penalty of the current weights, as Keras reports val_loss), accuracy and top-5
     * accuracy over every record of {@code data}, in inference mode.
     */
    public Metrics evaluate(BatchPipeline data) { return evaluate(data, false); }

    /** With {@code stoppable}, returns null as soon as {@link #interrupt()} was requested. */
    Metrics evaluate(BatchPipeline data, boolean stoppable) {
        checkData(data, "evaluation");
        MetricAccumulator acc = new MetricAccumulator();
        double penalty = Penalties.l2(compiled, averaged());
        try (BatchIterator it = data.epoch(0)) {
            while (it.hasNext()) {
                if (stoppable && interruptRequested) return null;
                testStepInto(it.next(), acc, penalty);
            }
        }
        return acc.result();
    }

    /** {@link #evaluate(BatchPipeline)} over a pipeline made here (data set order, no normalisation). */
    public Metrics evaluate(Dataset data, int batchSize) {
        try (BatchPipeline p = new BatchPipeline(data, PipelineOptions.evaluation(batchSize))) {
            return evaluate(p);
        }
    }

    /** Softmax probabilities [N, K] of every record, row r for data set record r whatever the pipeline's order. */
    public float[] predict(BatchPipeline data) {
        checkData(data, "prediction");
        float[] out = null;
        int classes = 0;
        try (BatchIterator it = data.epoch(0)) {
            while (it.hasNext()) {
                Batch b = it.next();
                float[] probs = predict(b);
                if (out == null) {
                    classes = probs.length / b.size();
                    out = new float[data.dataset().size() * classes];
                }
                for (int i = 0; i < b.size(); i++) System.arraycopy(probs, i * classes, out, b.sourceRows()[i] * classes, classes);
            }
        }
        return out == null ? new float[0] : out;
    }

    /** {@link #predict(BatchPipeline)} over a pipeline made here (data set order, no normalisation). */
    public float[] predict(Dataset data, int batchSize) {
        try (BatchPipeline p = new BatchPipeline(data, PipelineOptions.evaluation(batchSize))) {
            return predict(p);
        }
    }

    // ---- step-level API (custom loops, as Keras's GradientTape example) ---------------------------------------

    /**
     * One optimizer step on {@code batch} at the current {@link #learningRate()}; returns this batch's loss (total,
     * with L2 penalties), accuracy and top-5 accuracy. Does not check the loss: test {@code Double.isFinite}.
     */
    public Metrics trainStep(Batch batch) {
        requireOptimizer();
        StepResult r = compiled.trainStep(inputs(batch), lossLabels(batch), labels, (float) learningRate);
        return new MetricAccumulator().add(r.loss(), r.probs(), batch.labels(), Labels.SPARSE, batch.size());
    }

    /** Forward pass in inference mode with the loss; returns this batch's metrics (loss with the L2 penalty). */
    public Metrics testStep(Batch batch) {
        MetricAccumulator acc = new MetricAccumulator();
        testStepInto(batch, acc, Penalties.l2(compiled, averaged()));
        return acc.result();
    }

    /** Softmax probabilities [size, K] of one batch, in batch order. */
    public float[] predict(Batch batch) {
        StepResult r = compiled.testStep(inputs(batch), null, null, averaged());
        if (r.probs() == null) throw new IllegalStateException("model '" + compiled.model().name() + "' has no single (classes) output to predict");
        return r.probs();
    }

    private void testStepInto(Batch b, MetricAccumulator acc, double penalty) {
        StepResult r = compiled.testStep(inputs(b), b.labels(), Labels.SPARSE, averaged());
        acc.add(r.dataLoss() + penalty, r.probs(), b.labels(), Labels.SPARSE, b.size());
    }

    /** Whether inference runs on the moving average of the weights ({@link Optimizer#withEma}). */
    private boolean averaged() { return compiled.weightAverage() != null; }

    /** Every model input gets the batch's images. */
    float[][] inputs(Batch b) {
        float[][] in = new float[compiled.model().inputs().size()][];
        java.util.Arrays.fill(in, b.images());
        return in;
    }

    float[] lossLabels(Batch b) {
        if (labels == Labels.SPARSE) return b.labels();
        if (b.oneHot() == null) throw new IllegalArgumentException("the trainer uses one-hot labels but batch " + b.index() + " of epoch "
                + b.epoch() + " has none; build the pipeline with PipelineOptions.withOneHot(true)");
        return b.oneHot();
    }

    // ---- checkpoints ----------------------------------------------------------------------------------------

    /** The current state as a checkpoint (parameters, optimizer, progress, callback states of the current/last fit). */
    public Checkpoint checkpoint() {
        requireOptimizer();
        Map<String, Object> states = new LinkedHashMap<>();
        for (Callback c : callbacks) if (c.stateKey() != null) states.put(c.stateKey(), c.saveState());
        if (pendingCallbackStates != null) pendingCallbackStates.forEach(states::putIfAbsent);
        Checkpoint.Progress p = new Checkpoint.Progress(epochsCompleted, compiled.steps(), learningRate, dataState, states, history);
        return Checkpoint.capture(compiled, optimizer, modelConfig, runInfo, p);
    }

    /** Writes {@link #checkpoint()} as {@code name} into {@code dir}. */
    public void saveCheckpoint(Path dir, String name) throws IOException { checkpoint().save(dir, name); }

    private void saveCheckpointUnchecked(Path dir, String name) {
        try {
            saveCheckpoint(dir, name);
        } catch (IOException e) {
            throw new CheckpointException("could not write checkpoint '" + name + "' after epoch " + epochsCompleted + " to " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Continues the run saved in {@code runDir} ({@link Checkpoint#LATEST}): parameters, optimizer slots and t, rate,
     * history, epochs completed; the next {@link #fit} restores the states of its callbacks that the run had (others
     * start fresh) and requires a training pipeline with the same seed, batch size and data, so every later epoch is
     * what it would have been.
     * The trainer must have the checkpoint's model and optimizer ({@link Checkpoint#optimizer()}).
     */
    public Checkpoint resume(Path runDir) throws IOException {
        requireOptimizer();
        Checkpoint c = Checkpoint.load(runDir);
        c.loadTrainingState(compiled, optimizer);
        Checkpoint.Progress p = c.progress();
        learningRate = p.learningRate();
        history = new History(p.history());
        epochsCompleted = p.epochsCompleted();
        dataState = p.data();
        resumedData = p.data();
        pendingCallbackStates = p.callbacks();
        return c;
    }

    /**
     * Loads a checkpoint's parameters only (for evaluation or prediction), after checking it fits the model; with a
     * moving average of the weights, into the average too.
     */
    public void loadWeights(Checkpoint c) {
        c.loadParameters(compiled);
        if (averaged()) compiled.loadAveragedParameters(compiled.parameters());
    }

    // ---- state ----------------------------------------------------------------------------------------------

    @Override public double learningRate() { return learningRate; }

    /** Sets the rate of the next steps; must be positive and finite. */
    @Override public void setLearningRate(double lr) {
        if (!(lr > 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("learning rate must be positive and finite, got " + lr);
        learningRate = lr;
    }

    void setScheduledRate(double lr) { learningRate = lr; }

    @Override public int epochsCompleted() { return epochsCompleted; }

    /** The logs of every completed epoch (a live view; copy it to keep a snapshot). */
    @Override public History history() { return history; }

    public Optimizer optimizer() { return optimizer; }

    public LearningRateSchedule schedule() { return schedule; }

    public Labels labels() { return labels; }

    @Override public Path runDirectory() { return runDirectory; }

    public CompiledModel compiledModel() { return compiled; }

    public Model model() { return compiled.model(); }

    private void requireOptimizer() {
        if (optimizer == null) throw new IllegalStateException("this trainer of model '" + compiled.model().name()
                + "' was built without an optimizer (inference only)");
    }

    @Override public void close() { compiled.close(); }
}
