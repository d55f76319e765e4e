package dev.convkit.exec;

import dev.convkit.backend.Arena;
import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendException;
import dev.convkit.backend.Buffer;
import dev.convkit.backend.Kernel;
import dev.convkit.backend.MemoryKind;
import dev.convkit.graph.Model;
import dev.convkit.graph.ParamSpec;
import dev.convkit.graph.Precision;
import dev.convkit.graph.Program;
import dev.convkit.graph.ProgramBuilder;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.graph.Value;
import dev.convkit.ops.EmaUpdate;
import dev.convkit.ops.Op;
import dev.convkit.ops.OptimizerUpdate;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A model bound to an engine for training and inference. Owns three arenas planned from the model alone:
 * PARAMS (trainable parameters first, contiguous, then BN state), GRADS (same offsets as the trainable part) and
 * OPTIMIZER_STATE (one copy of the trainable part per optimizer slot). The optimizer is therefore one update kernel
 * over flat slices (alignment gaps hold zeros and stay zero). Steps are compiled per (mode, batch size) on first use
 * and cached; each owns its activation memory. Use from one thread; close to free everything.
 *
 * <p>The {@link Precision} policy decides the element type of the steps' activations; the three arenas above are f32
 * under every policy (master weights, the gradients the optimizer reads, its state), so parameters, optimizer state
 * and checkpoints do not depend on it.
 */
public final class CompiledModel implements AutoCloseable {
    private final Model model;
    private final Backend backend;
    private final OptimizerUpdate update;                                       // null: inference only
    private final Precision precision;
    private final double weightDecay;                                   // coupled, on kernels; 0 = none
    private final Map<String, Long> offsets = new LinkedHashMap<>(); // param name → byte offset in PARAMS
    private final long trainableBytes, paramBytes;
    private final String[] stateNames;
    private final Arena params, grads, optState, host;
    private final Buffer hyper, counter;                            // (2,) [lr, t] and (1,) dropout counter
    private Kernel updateKernel;
    private StateBackup stateBackup;                               // null until the first training step
    private AveragedWeights average;                               // null: no moving average of the weights
    private final Map<String, CompiledStep> steps = new HashMap<>();
    private CompiledStep last;   // the step that ran most recently, for output()
    private long step;                                             // optimizer steps taken (Adam's t)

    public CompiledModel(Model model, Backend backend, OptimizerUpdate update) { this(model, backend, update, Precision.FP32); }

    /** A compiled model whose steps run under {@code precision}. */
    public CompiledModel(Model model, Backend backend, OptimizerUpdate update, Precision precision) {
        this(model, backend, update, precision, 0);
    }

    /**
     * A compiled model whose training steps add coupled weight decay: {@code weightDecay}·w to the gradient of every
     * kernel w, as the penalty (wd/2)·Σw² in the training loss (see {@link ProgramBuilder}). Inference steps do not
     * depend on it.
     */
    public CompiledModel(Model model, Backend backend, OptimizerUpdate update, Precision precision, double weightDecay) {
        this.weightDecay = ProgramBuilder.requireWeightDecay(weightDecay);
        this.precision = Objects.requireNonNull(precision, "precision");
        String unsupported = backend.unsupportedType(precision.computeType());
        if (unsupported != null) {
            throw new BackendException(backend.name(), "cannot compile model '" + model.name() + "' with precision "
                    + precision.cliName() + " (" + precision.kerasName() + "): " + unsupported);
        }
        this.model = model;
        this.backend = backend;
        this.update = update;
        this.stateNames = update == null ? new String[0] : update.stateNames().toArray(String[]::new);
        int align = backend.alignment();
        long at = 0;
        for (Map.Entry<String, ParamSpec> e : model.params().entrySet()) {
            if (!e.getValue().kind().trainable()) continue;
            offsets.put(e.getKey(), at);
            at += MemoryPlan.align(e.getValue().count() * 4, align);
        }
        trainableBytes = at;
        for (Map.Entry<String, ParamSpec> e : model.params().entrySet()) {
            if (e.getValue().kind().trainable()) continue;
            offsets.put(e.getKey(), at);
            at += MemoryPlan.align(e.getValue().count() * 4, align);
        }
        paramBytes = at;
        Arena p = null, g = null, s = null, h = null;
        try {
            p = backend.allocate(MemoryKind.PARAMS, Math.max(paramBytes, align));
            g = backend.allocate(MemoryKind.GRADS, Math.max(update == null ? align : trainableBytes, align));
            s = backend.allocate(MemoryKind.OPTIMIZER_STATE, Math.max(trainableBytes * stateNames.length, align));
            h = backend.allocate(MemoryKind.IO, 2L * align);
        } catch (RuntimeException e) {
            for (Arena a : new Arena[] {h, s, g, p}) if (a != null) a.close();
            throw e;
        }
        params = p; grads = g; optState = s; host = h;
        backend.zero(params.slice(0, params.bytes()));
        backend.zero(grads.slice(0, grads.bytes()));
        backend.zero(optState.slice(0, optState.bytes()));
        hyper = host.slice(0, 8);
        counter = host.slice(align, 4);
    }

    public Model model() { return model; }

    public Backend backend() { return backend; }

    public Precision precision() { return precision; }

    /** The coupled weight decay of the training steps (0 = none). */
    public double weightDecay() { return weightDecay; }

    /** Optimizer steps taken so far (restored from checkpoints). */
    public long steps() { return step; }

    public void setSteps(long s) { step = s; }

    /** Fills every parameter with its initializer, each from a generator derived from {@code seed} and its name. */
    public void initialize(long seed) {
        for (Map.Entry<String, ParamSpec> e : model.params().entrySet()) {
            ParamSpec ps = e.getValue();
            float[] data = new float[(int) ps.count()];
            ps.init().fill(data, ps.shape(), new SplittableRandom(seed ^ (e.getKey().hashCode() * 0x9E3779B97F4A7C15L)));
            backend.upload(paramBuffer(e.getKey()), FloatBuffer.wrap(data));
        }
    }

    private Buffer paramBuffer(String name) {
        Long off = offsets.get(name);
        if (off == null) throw new IllegalArgumentException("model '" + model.name() + "' has no parameter '" + name + "'");
        return params.slice(off, model.params().get(name).count() * 4);
    }

    private Buffer averageBuffer(String name) {
        if (average == null) throw new IllegalStateException("model '" + model.name() + "' keeps no moving average of its weights");
        paramBuffer(name);                                          // checks the name
        return average.slice(offsets.get(name), model.params().get(name).count() * 4);
    }

    /** Every parameter and BN statistic by structural name (canonical layout). */
    public Map<String, float[]> parameters() { return ParameterTransfer.download(backend, model, this::paramBuffer); }

    /** Replaces parameters; every name must belong to the model with the right element count. */
    public void loadParameters(Map<String, float[]> values) { ParameterTransfer.upload(backend, model, values, this::paramBuffer); }

    /**
     * Starts keeping the moving average of every parameter and BN statistic, updated by {@code op} after each
     * optimizer step ({@link #trainStep}); it starts as the current weights. Inference steps may then run on the
     * average ({@link #testStep(float[][], float[], Labels, boolean)}).
     *
     * @throws IllegalStateException without an optimizer, or when an average is kept already
     */
    public void averageWeights(EmaUpdate op) {
        if (update == null) throw new IllegalStateException("model '" + model.name() + "' was compiled without an optimizer: nothing to average");
        if (average != null) throw new IllegalStateException("model '" + model.name() + "' already averages its weights with " + average.op());
        average = new AveragedWeights(backend, Objects.requireNonNull(op, "op"), paramBytes, backend.alignment());
        loadAveragedParameters(parameters());
    }

    /** The moving average's update op, or null when none is kept. */
    public EmaUpdate weightAverage() { return average == null ? null : average.op(); }

    /** The moving average of every parameter and BN statistic, as {@link #parameters()}. */
    public Map<String, float[]> averagedParameters() { return ParameterTransfer.download(backend, model, this::averageBuffer); }

    /** Replaces values of the moving average, as {@link #loadParameters}. */
    public void loadAveragedParameters(Map<String, float[]> values) { ParameterTransfer.upload(backend, model, values, this::averageBuffer); }

    /** Optimizer slots by "slot/param name" (e.g. "m/stage1/block1/conv1/kernel"). */
    public Map<String, float[]> optimizerState() {
        backend.synchronize();
        Map<String, float[]> out = new LinkedHashMap<>();
        for (int slot = 0; slot < stateNames.length; slot++) {
            for (Map.Entry<String, ParamSpec> e : model.params().entrySet()) {
                if (!e.getValue().kind().trainable()) continue;
                float[] data = new float[(int) e.getValue().count()];
                backend.download(stateBuffer(slot, e.getKey()), FloatBuffer.wrap(data));
                out.put(stateNames[slot] + "/" + e.getKey(), data);
            }
        }
        return out;
    }

    public void loadOptimizerState(Map<String, float[]> values) {
        for (int slot = 0; slot < stateNames.length; slot++) {
            for (Map.Entry<String, ParamSpec> e : model.params().entrySet()) {
                if (!e.getValue().kind().trainable()) continue;
                String key = stateNames[slot] + "/" + e.getKey();
                float[] v = values.get(key);
                if (v == null || v.length != e.getValue().count()) throw new IllegalArgumentException("optimizer state '" + key
                        + "' is " + (v == null ? "missing" : "of length " + v.length + ", expected " + e.getValue().count()));
                backend.upload(stateBuffer(slot, e.getKey()), FloatBuffer.wrap(v));
            }
        }
    }

    private Buffer stateBuffer(int slot, String name) {
        return optState.slice(slot * trainableBytes + offsets.get(name), model.params().get(name).count() * 4);
    }

    /** The loss and softmax probabilities of one step. */
    public record StepResult(float loss, float dataLoss, float[] probs) {}

    /**
     * Output {@code i} of the model (logits, for the zoo's classifiers; any rank) as computed by the last
     * {@link #trainStep} or {@link #testStep}: [N, ...] floats in canonical (NCHW) order, whatever layout the
     * engine keeps its activations in.
     *
     * @throws IllegalStateException before the first step
     */
    public float[] output(int i) {
        if (last == null) throw new IllegalStateException("model '" + model.name() + "' has not run a step yet");
        List<Value> outs = last.program.outputs();
        if (i < 0 || i >= outs.size()) throw new IndexOutOfBoundsException("model '" + model.name() + "' has "
                + outs.size() + " outputs, asked for output " + i);
        backend.synchronize();
        float[] data = new float[(int) outs.get(i).spec().size()];
        backend.download(last.buffer(outs.get(i)), FloatBuffer.wrap(data));
        return data;
    }

    /**
     * One training step on a batch: forward, loss, backward, then the optimizer update with learning rate {@code lr}.
     * {@code inputs[i]} is the i-th model input as NCHW floats; {@code labels} are class indices (SPARSE) or one-hot.
     * The loss is read before the update: when it is NaN or infinite the update is skipped, so the trainable
     * parameters and the optimizer state stay those before the step, and {@link #steps()} does not advance (a retry
     * of the batch sees the same Adam step and dropout masks). The BN moving statistics, which the forward pass
     * updates in place, are copied back to their values before the step too. {@link #firstNonFinite} then finds where the step went non-finite.
     */
    public StepResult trainStep(float[][] inputs, float[] labels, Labels kind, float lr) {
        CompiledStep s = prepareTraining(inputs, labels, kind);
        backend.upload(hyper, FloatBuffer.wrap(new float[] {lr, step + 1}));
        stateBackup.save();
        s.run();
        last = s;
        StepResult r = read(s);
        if (!Float.isFinite(r.loss())) {
            stateBackup.restore();
            return r;
        }
        runUpdate();
        if (average != null) average.update(params, hyper);
        step++;
        return r;
    }

    /**
     * Runs the training program of {@link #trainStep} again on this batch (forward and backward, no update), op by op,
     * and returns the first value that is NaN or infinite, or null when every value is finite. Trainable parameters
     * are checked first; then each op's outputs after it runs, with its inputs checked before. Meant for the batch
     * whose loss was not finite: the step counter and dropout masks are those of that step, as it applied no update.
     * Slow (a synchronize and a download per op); changes no parameter, statistic or optimizer state.
     */
    public NonFinite firstNonFinite(float[][] inputs, float[] labels, Labels kind) {
        CompiledStep s = prepareTraining(inputs, labels, kind);
        backend.synchronize();
        for (Map.Entry<String, ParamSpec> e : model.params().entrySet()) {
            if (!e.getValue().kind().trainable()) continue;
            NonFiniteCount c = NonFiniteCount.of(backend, paramBuffer(e.getKey()), DType.F32);
            if (!c.finite()) return NonFinite.parameter(e.getKey(), c, e.getValue().count());
        }
        stateBackup.save();
        NonFinite found = s.runChecked();
        stateBackup.restore();
        last = s;
        backend.synchronize();
        return found;
    }

    /** The compiled training step for this batch, with the batch, the step counter and the loss seed uploaded. */
    private CompiledStep prepareTraining(float[][] inputs, float[] labels, Labels kind) {
        if (update == null) throw new IllegalStateException("model '" + model.name() + "' was compiled without an optimizer");
        CompiledStep s = step(true, batchOf(inputs), kind, false);
        if (stateBackup == null) stateBackup = new StateBackup(backend, params.slice(trainableBytes, paramBytes - trainableBytes));
        bindBatch(s, inputs, labels);
        backend.upload(counter, FloatBuffer.wrap(new float[] {step + 1}));
        backend.upload(s.buffer(s.program.one()), FloatBuffer.wrap(new float[] {1f}));
        return s;
    }

    /** Forward pass in inference mode on the live weights; with labels it also computes the loss. */
    public StepResult testStep(float[][] inputs, float[] labels, Labels kind) { return testStep(inputs, labels, kind, false); }

    /** {@link #testStep(float[][], float[], Labels)} on the moving average of the weights when {@code averaged}. */
    public StepResult testStep(float[][] inputs, float[] labels, Labels kind, boolean averaged) {
        if (averaged && average == null) throw new IllegalStateException("model '" + model.name() + "' keeps no moving average of its weights");
        CompiledStep s = step(false, batchOf(inputs), labels == null ? null : kind, averaged);
        bindBatch(s, inputs, labels);
        s.run();
        last = s;
        return read(s);
    }

    private StepResult read(CompiledStep s) {
        backend.synchronize();
        Program p = s.program;
        float[] one = new float[1];
        float loss = Float.NaN, dataLoss = Float.NaN;
        if (p.loss() != null) { backend.download(s.buffer(p.loss()), FloatBuffer.wrap(one)); loss = one[0]; }
        if (p.dataLoss() != null) { backend.download(s.buffer(p.dataLoss()), FloatBuffer.wrap(one)); dataLoss = one[0]; }
        float[] probs = null;
        if (p.probs() != null) {
            probs = new float[(int) p.probs().spec().size()];
            backend.download(s.buffer(p.probs()), FloatBuffer.wrap(probs));
        }
        return new StepResult(loss, dataLoss, probs);
    }

    private void bindBatch(CompiledStep s, float[][] inputs, float[] labels) {
        List<Value> ins = s.program.inputs();
        if (inputs.length != ins.size()) throw new IllegalArgumentException("model '" + model.name() + "' takes " + ins.size() + " inputs, got " + inputs.length);
        for (int i = 0; i < inputs.length; i++) upload(s, ins.get(i), inputs[i], "input " + i);
        if (s.program.labels() != null) upload(s, s.program.labels(), labels, "labels");
        if (s.program.stepCounter() != null && !s.program.training()) backend.upload(s.buffer(s.program.stepCounter()), FloatBuffer.wrap(new float[] {0}));
    }

    private void upload(CompiledStep s, Value v, float[] data, String what) {
        if (data == null || data.length != v.spec().size()) throw new IllegalArgumentException(what + " of model '" + model.name()
                + "' must have " + v.spec().size() + " floats " + v.spec().shape() + ", got " + (data == null ? "none" : data.length));
        backend.upload(s.buffer(v), FloatBuffer.wrap(data));
    }

    private int batchOf(float[][] inputs) {
        if (inputs.length == 0) throw new IllegalArgumentException("no inputs given");
        long perSample = model.inputs().get(0).shape().size();
        if (inputs[0].length % perSample != 0 || inputs[0].length == 0) throw new IllegalArgumentException("input 0 has " + inputs[0].length
                + " floats, not a whole number of samples of shape " + model.inputs().get(0).shape());
        return (int) (inputs[0].length / perSample);
    }

    private void runUpdate() {
        long n = trainableBytes / 4;
        if (n == 0) return;
        if (updateKernel == null) {
            int slots = stateNames.length;
            TensorSpec flat = TensorSpec.f32((int) n);
            List<TensorSpec> specs = new java.util.ArrayList<>();
            for (int i = 0; i < 2 + slots; i++) specs.add(flat);
            specs.add(TensorSpec.f32(2));
            updateKernel = backend.compile(update, specs, null);
        }
        Buffer[] src = new Buffer[3 + stateNames.length];
        src[0] = params.slice(0, trainableBytes);
        src[1] = grads.slice(0, trainableBytes);
        for (int i = 0; i < stateNames.length; i++) src[2 + i] = optState.slice(i * trainableBytes, trainableBytes);
        src[src.length - 1] = hyper;
        updateKernel.run(src, new Buffer[0], null, null);
    }

    /** The step of this mode and batch, compiled on first use; {@code averaged}: bound to the average's parameters. */
    private CompiledStep step(boolean training, int batch, Labels labels, boolean averaged) {
        String key = training + "/" + batch + "/" + labels + (averaged ? "/averaged" : "");
        CompiledStep s = steps.get(key);
        if (s != null) return s;
        Program p = program(training, batch, labels);
        s = new CompiledStep(p, backend);
        try {
            Map<MemoryKind, Long> fixed = new EnumMap<>(MemoryKind.class);
            fixed.put(MemoryKind.PARAMS, average == null ? paramBytes : 2 * paramBytes);
            fixed.put(MemoryKind.GRADS, update == null ? 0 : trainableBytes);
            fixed.put(MemoryKind.OPTIMIZER_STATE, trainableBytes * stateNames.length);
            MemoryBudget.require(backend, model.name(), training, batch, s.plannedBytes(), fixed);
            s.allocate(bindings(p, averaged));
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        steps.put(key, s);
        return s;
    }

    private Program program(boolean training, int batch, Labels labels) {
        return training ? ProgramBuilder.training(model, batch, labels, backend::fuses, precision, weightDecay)
                : ProgramBuilder.inference(model, batch, labels, backend::fuses, precision);
    }

    private Map<Value, Buffer> bindings(Program p, boolean averaged) {
        Map<Value, Buffer> m = new IdentityHashMap<>();
        for (Map.Entry<String, Value> e : p.params().entrySet()) {
            m.put(e.getValue(), averaged ? averageBuffer(e.getKey()) : paramBuffer(e.getKey()));
        }
        for (Map.Entry<String, Value> e : p.paramGrads().entrySet()) {
            m.put(e.getValue(), grads.slice(offsets.get(e.getKey()), model.params().get(e.getKey()).count() * 4));
        }
        if (p.stepCounter() != null && p.training()) m.put(p.stepCounter(), counter);
        return m;
    }

    /** Bytes per arena for a step of this batch size, planned before any activation memory is taken. */
    public Map<MemoryKind, Long> plan(int batch, boolean training, Labels labels) {
        Program p = program(training, batch, labels);
        Map<MemoryKind, Long> m = new EnumMap<>(MemoryKind.class);
        m.put(MemoryKind.PARAMS, paramBytes);
        m.put(MemoryKind.GRADS, update == null ? 0 : trainableBytes);
        m.put(MemoryKind.OPTIMIZER_STATE, trainableBytes * stateNames.length);
        try (CompiledStep s = new CompiledStep(p, backend)) {
            m.putAll(s.plannedBytes());
        }
        return m;
    }

    @Override public void close() {
        for (CompiledStep s : steps.values()) s.close();
        steps.clear();
        if (updateKernel != null) updateKernel.close();
        if (stateBackup != null) stateBackup.close();
        if (average != null) average.close();
        host.close();
        optState.close();
        grads.close();
        params.close();
    }
}
