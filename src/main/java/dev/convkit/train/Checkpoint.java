package dev.convkit.train;

import dev.convkit.exec.CompiledModel;
import dev.convkit.graph.Model;
import dev.convkit.graph.ParamSpec;
import dev.convkit.io.HostTensor;
import dev.convkit.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to continue a run exactly, in memory: the model's identity, every parameter and BN statistic
 * under its structural name, the optimizer (name, hyper-parameters, slots, step t), and the run's progress (epochs
 * completed, current rate, data pipeline state, callback states, history, engine).
 *
 * <p>On disk ({@link CheckpointFiles}) a checkpoint called {@code name} in a run folder is {@code name.safetensors}
 * (parameters under their structural names, optimizer slots under {@code optimizer/<slot>/<param>}) plus the JSON
 * sidecar {@code name.json}. {@link #LATEST} is written after every epoch, {@link #BEST} by {@link ModelCheckpoint}.
 */
public final class Checkpoint {
    public static final String FORMAT = "convkit-checkpoint";
    /** 2: epochs counted from 1 as in log.csv, the pipeline's augmentation as an object; version 1 is read through {@link CheckpointUpgrade}. */
    public static final int FORMAT_VERSION = 2;
    /** The checkpoint the trainer writes after every epoch and {@code --resume} reads. */
    public static final String LATEST = "checkpoint";
    /** The checkpoint {@link ModelCheckpoint} writes when the monitored metric improves. */
    public static final String BEST = "best";
    static final String SLOT_PREFIX = "optimizer/";
    /** Prefix of the live weights in a checkpoint whose parameters are their moving average ({@link Optimizer#withEma}). */
    static final String LIVE_PREFIX = "live/";

    /**
     * Where a run stands after an epoch.
     *
     * @param epochsCompleted epochs finished; a resumed run starts at this 0-based epoch
     * @param optimizerSteps  optimizer steps taken (Adam's t, the dropout counter)
     * @param learningRate    the rate in force after the epoch's callbacks ran
     * @param data            the training pipeline's state (seed and what else it needs to reshuffle identically)
     * @param callbacks       each stateful callback's state under its {@link Callback#stateKey()}
     * @param history         the logs of the completed epochs
     */
    public record Progress(int epochsCompleted, long optimizerSteps, double learningRate, Map<String, Object> data,
                           Map<String, Object> callbacks, History history) {
        public Progress {
            data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
            callbacks = Collections.unmodifiableMap(new LinkedHashMap<>(callbacks));
            history = new History(history);
        }
    }

    private final String modelName;
    private final Map<String, Object> modelConfig;
    private final Map<String, Object> runInfo;              // free-form: how the run was started (CLI arguments)
    private final Optimizer optimizer;
    private final String engine;
    private final Progress progress;
    private final Map<String, HostTensor> parameters;       // structural name → tensor, model order
    private final Map<String, HostTensor> optimizerSlots;   // "<slot>/<param>" → tensor
    private final Map<String, HostTensor> liveParameters;   // with a moving average: the weights training goes on from; else empty

    Checkpoint(String modelName, Map<String, Object> modelConfig, Map<String, Object> runInfo, Optimizer optimizer, String engine,
               Progress progress, Map<String, HostTensor> parameters, Map<String, HostTensor> optimizerSlots) {
        this(modelName, modelConfig, runInfo, optimizer, engine, progress, parameters, optimizerSlots, Map.of());
    }

    Checkpoint(String modelName, Map<String, Object> modelConfig, Map<String, Object> runInfo, Optimizer optimizer, String engine,
               Progress progress, Map<String, HostTensor> parameters, Map<String, HostTensor> optimizerSlots,
               Map<String, HostTensor> liveParameters) {
        this.modelName = modelName;
        this.modelConfig = Collections.unmodifiableMap(new LinkedHashMap<>(modelConfig));
        this.runInfo = Collections.unmodifiableMap(new LinkedHashMap<>(runInfo));
        this.optimizer = optimizer;
        this.engine = engine;
        this.progress = progress;
        this.parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        this.optimizerSlots = Collections.unmodifiableMap(new LinkedHashMap<>(optimizerSlots));
        this.liveParameters = Collections.unmodifiableMap(new LinkedHashMap<>(liveParameters));
        if (optimizer.emaMomentum() > 0 != !liveParameters.isEmpty() || !liveParameters.isEmpty()
                && !liveParameters.keySet().equals(parameters.keySet())) {
            throw new CheckpointException("checkpoint of " + modelName + ": " + (optimizer.emaMomentum() > 0
                    ? "its optimizer " + optimizer + " keeps a moving average of the weights, so the checkpoint needs the live weights "
                    + "under '" + LIVE_PREFIX + "' for every parameter; found " + liveParameters.size() + " of " + parameters.size()
                    : "it holds live weights under '" + LIVE_PREFIX + "' but its optimizer " + optimizer + " keeps no moving average"));
        }
    }

    /**
     * Copies the parameters and optimizer state out of {@code model} (the optimizer must be the one it was compiled
     * with). With a moving average of the weights, the parameters are the average and the live weights are kept as
     * {@link #liveParameters()}. {@code modelConfig} records how to rebuild the model, {@code runInfo} how the run was started (free-form,
     * JSON-compatible values).
     */
    public static Checkpoint capture(CompiledModel model, Optimizer optimizer, Map<String, Object> modelConfig,
                                     Map<String, Object> runInfo, Progress progress) {
        Map<String, ParamSpec> specs = model.model().params();
        boolean averaged = model.weightAverage() != null;
        if (averaged != optimizer.emaMomentum() > 0) throw new IllegalArgumentException("optimizer " + optimizer + " and model '"
                + model.model().name() + "' disagree on the moving average of the weights (the model " + (averaged ? "keeps" : "keeps none") + ")");
        Map<String, HostTensor> params = tensors(specs, averaged ? model.averagedParameters() : model.parameters());
        Map<String, HostTensor> live = averaged ? tensors(specs, model.parameters()) : Map.of();
        Map<String, HostTensor> slots = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : model.optimizerState().entrySet()) {
            String param = e.getKey().substring(e.getKey().indexOf('/') + 1);
            slots.put(e.getKey(), new HostTensor(specs.get(param).shape(), e.getValue()));
        }
        return new Checkpoint(model.model().name(), modelConfig, runInfo, optimizer, model.backend().name(), progress, params, slots, live);
    }

    private static Map<String, HostTensor> tensors(Map<String, ParamSpec> specs, Map<String, float[]> values) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : values.entrySet()) out.put(e.getKey(), new HostTensor(specs.get(e.getKey()).shape(), e.getValue()));
        return out;
    }

    /** Writes this checkpoint as {@code name}.safetensors + {@code name}.json in {@code dir} (created if missing), atomically. */
    public void save(Path dir, String name) throws IOException { CheckpointFiles.save(dir, name, this); }

    /** Reads and verifies checkpoint {@code name} of run folder {@code dir}. */
    public static Checkpoint load(Path dir, String name) throws IOException { return CheckpointFiles.load(dir, name); }

    /** Reads and verifies the per-epoch checkpoint ({@link #LATEST}) of run folder {@code dir}. */
    public static Checkpoint load(Path dir) throws IOException { return load(dir, LATEST); }

    /** True when {@code dir} holds checkpoint {@code name} (its sidecar exists). */
    public static boolean exists(Path dir, String name) { return CheckpointFiles.exists(dir, name); }

    public String modelName() { return modelName; }

    /** The model's configuration as the creator recorded it (e.g. depth, classes, input shape). */
    public Map<String, Object> modelConfig() { return modelConfig; }

    /** How the run was started, as its creator recorded it (e.g. the command line's dataset, epochs, batch size). */
    public Map<String, Object> runInfo() { return runInfo; }

    public Optimizer optimizer() { return optimizer; }

    /** Name of the engine that trained it ("cpu", "cuda"): informative, a checkpoint loads into any engine. */
    public String engine() { return engine; }

    public Progress progress() { return progress; }

    /** The model's weights; with a moving average ({@link Optimizer#withEma}), the average: what evaluation uses. */
    public Map<String, HostTensor> parameters() { return parameters; }

    /** With a moving average of the weights, the live weights training continues from; otherwise empty. */
    public Map<String, HostTensor> liveParameters() { return liveParameters; }

    /** Optimizer slots by "&lt;slot&gt;/&lt;param&gt;" (the keys of {@link CompiledModel#optimizerState()}). */
    public Map<String, HostTensor> optimizerSlots() { return optimizerSlots; }

    /**
     * Checks that this checkpoint belongs to {@code model}: same model name, the same parameter names, each with the
     * same shape. The message lists every difference (up to 8) as "parameter, expected shape vs found shape".
     */
    public void requireCompatible(Model model) {
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, ParamSpec> e : model.params().entrySet()) {
            HostTensor t = parameters.get(e.getKey());
            if (t == null) problems.add("parameter '" + e.getKey() + "': expected shape " + e.getValue().shape() + ", missing in the checkpoint");
            else if (!t.shape().equals(e.getValue().shape())) problems.add("parameter '" + e.getKey() + "': expected shape "
                    + e.getValue().shape() + ", found " + t.shape());
        }
        for (Map.Entry<String, HostTensor> e : parameters.entrySet()) {
            if (!model.params().containsKey(e.getKey())) problems.add("parameter '" + e.getKey() + "' " + e.getValue().shape()
                    + ": found in the checkpoint, but model '" + model.name() + "' has no such parameter");
        }
        boolean sameName = model.name().equals(modelName);
        if (sameName && problems.isEmpty()) return;
        StringBuilder sb = new StringBuilder();
        if (!sameName) sb.append("the checkpoint holds model '").append(modelName).append("' ").append(modelConfig)
                .append(", not model '").append(model.name()).append("'; load it into a '").append(modelName).append("' model built with that config");
        else sb.append("the checkpoint of model '").append(modelName).append("' ").append(modelConfig)
                .append(" does not fit this model (built with another config?)");
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 8);
            sb.append("; ").append(problems.size()).append(" parameter difference").append(problems.size() == 1 ? "" : "s").append(":\n  ")
                    .append(String.join("\n  ", problems.subList(0, shown))).append(shown < problems.size() ? "\n  ..." : "");
        }
        throw new CheckpointException(sb.toString());
    }

    /** Loads the parameters and BN statistics into {@code model} after {@link #requireCompatible}. */
    public void loadParameters(CompiledModel model) {
        requireCompatible(model.model());
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : parameters.entrySet()) values.put(e.getKey(), e.getValue().data());
        model.loadParameters(values);
    }

    /**
     * Loads parameters, optimizer slots and step t into {@code model}, compiled with {@code optimizer}, which must equal
     * the checkpoint's, base rate and moving average included (a resumed run continues with the same update rule and
     * schedule base); with a moving average, the live weights into the model and the parameters into its average.
     */
    public void loadTrainingState(CompiledModel model, Optimizer optimizer) {
        if (!this.optimizer.equals(optimizer)) {
            throw new CheckpointException("the checkpoint was trained with " + this.optimizer + " but the trainer uses " + optimizer
                    + "; resume with the checkpoint's optimizer (Checkpoint.optimizer())");
        }
        loadParameters(model);
        if (!liveParameters.isEmpty()) {
            model.loadAveragedParameters(model.parameters());
            Map<String, float[]> live = new LinkedHashMap<>();
            liveParameters.forEach((k, v) -> live.put(k, v.data()));
            model.loadParameters(live);
        }
        Map<String, float[]> slots = new LinkedHashMap<>();
        for (Map.Entry<String, HostTensor> e : optimizerSlots.entrySet()) slots.put(e.getKey(), e.getValue().data());
        try {
            model.loadOptimizerState(slots);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("the checkpoint's optimizer state does not fit model '" + model.model().name() + "': " + e.getMessage(), e);
        }
        model.setSteps(progress.optimizerSteps());
    }

    /** The sidecar content, without the file section {@link CheckpointFiles} adds. */
    Map<String, Object> sidecar() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("format_version", FORMAT_VERSION);
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("name", modelName);
        model.put("config", modelConfig);
        model.put("parameters", parameters.values().stream().mapToLong(t -> t.data().length).sum());
        m.put("model", model);
        m.put("run", runInfo);
        Map<String, Object> opt = new LinkedHashMap<>();
        opt.put("name", optimizer.name());
        opt.put("learning_rate", optimizer.learningRate());
        opt.put("hyper_parameters", optimizer.hyperParameters());
        opt.put("steps", progress.optimizerSteps());
        if (optimizer.emaMomentum() > 0) opt.put("ema_momentum", optimizer.emaMomentum());
        m.put("optimizer", opt);
        m.put("epochs_completed", progress.epochsCompleted());
        m.put("learning_rate", progress.learningRate());
        m.put("data", progress.data());
        m.put("callbacks", progress.callbacks());
        m.put("engine", engine);
        m.put("history", progress.history().toJson());
        return m;
    }

    /** Tensors as stored: parameters, then optimizer slots under {@code optimizer/}, then any live weights under {@code live/}. */
    Map<String, HostTensor> tensors() {
        Map<String, HostTensor> all = new LinkedHashMap<>(parameters);
        for (Map.Entry<String, HostTensor> e : optimizerSlots.entrySet()) all.put(SLOT_PREFIX + e.getKey(), e.getValue());
        for (Map.Entry<String, HostTensor> e : liveParameters.entrySet()) all.put(LIVE_PREFIX + e.getKey(), e.getValue());
        return all;
    }

    /** Rebuilds a checkpoint from a parsed sidecar and the tensors of its file. */
    @SuppressWarnings("unchecked")
    static Checkpoint fromParts(Map<String, Object> side, Map<String, HostTensor> tensors, Path where) {
        Object format = side.get("format");
        if (!FORMAT.equals(format)) throw new CheckpointException(where + " is not a ConvKit checkpoint sidecar: \"format\" is " + format
                + ", expected \"" + FORMAT + "\"");
        long version;
        try {
            version = Json.toLong(side.get("format_version"));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(where + " is malformed: \"format_version\" must be an integer (" + e.getMessage() + ")", e);
        }
        if (version < 1 || version > FORMAT_VERSION) throw new CheckpointException(where + " has checkpoint format version " + version
                + "; this ConvKit reads versions 1 to " + FORMAT_VERSION);
        if (version == 1) side = CheckpointUpgrade.fromVersion1(side);
        try {
            Map<String, Object> model = (Map<String, Object>) side.get("model");
            Map<String, Object> opt = (Map<String, Object>) side.get("optimizer");
            Map<String, Double> hyper = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : ((Map<String, Object>) opt.get("hyper_parameters")).entrySet()) {
                hyper.put(e.getKey(), Json.toDouble(e.getValue()));
            }
            Object ema = opt.get("ema_momentum");
            Optimizer optimizer = Optimizer.of((String) opt.get("name"), Json.toDouble(opt.get("learning_rate")), hyper,
                    ema == null ? 0 : Json.toDouble(ema));
            Progress progress = new Progress((int) Json.toLong(side.get("epochs_completed")), Json.toLong(opt.get("steps")),
                    Json.toDouble(side.get("learning_rate")), (Map<String, Object>) side.get("data"),
                    (Map<String, Object>) side.get("callbacks"), History.fromJson(side.get("history")));
            Map<String, HostTensor> params = new LinkedHashMap<>(), slots = new LinkedHashMap<>(), live = new LinkedHashMap<>();
            for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
                if (e.getKey().startsWith(SLOT_PREFIX)) slots.put(e.getKey().substring(SLOT_PREFIX.length()), e.getValue());
                else if (e.getKey().startsWith(LIVE_PREFIX)) live.put(e.getKey().substring(LIVE_PREFIX.length()), e.getValue());
                else params.put(e.getKey(), e.getValue());
            }
            Object run = side.get("run");
            return new Checkpoint((String) model.get("name"), (Map<String, Object>) model.get("config"),
                    run == null ? Map.of() : (Map<String, Object>) run, optimizer,
                    (String) side.get("engine"), progress, params, slots, live);
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new CheckpointException(where + " is malformed: " + e.getMessage()
                    + " (expected the members model, optimizer, epochs_completed, learning_rate, data, callbacks, history)", e);
        }
    }

    @Override public String toString() {
        return "checkpoint of " + modelName + " after " + progress.epochsCompleted() + " epochs (" + optimizer + ", t=" + progress.optimizerSteps()
                + ", lr " + progress.learningRate() + ", engine " + engine + ")";
    }
}
