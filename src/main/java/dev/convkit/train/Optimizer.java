package dev.convkit.train;

import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.EmaUpdate;
import dev.convkit.ops.OptimizerUpdate;
import dev.convkit.ops.RmsPropUpdate;
import dev.convkit.ops.SgdUpdate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An optimizer configuration: its name, base learning rate and hyper-parameters, with the Keras defaults. It gives
 * the update op that {@link dev.convkit.exec.CompiledModel} runs over the flat parameter arena (the learning rate and
 * the step t are fed per step, so one compiled model serves any schedule).
 *
 * <p>Defaults (Keras): SGD lr 0.01, momentum 0, no Nesterov; Adam lr 1e-3, β1 0.9, β2 0.999, ε 1e-7;
 * RMSprop lr 1e-3, ρ 0.9, ε 1e-7.
 *
 * <p>As Keras's {@code use_ema} / {@code ema_momentum}, any optimizer may also keep the exponential moving average of
 * the weights ({@link #withEma}); the trainer then evaluates, predicts and checkpoints the average.
 */
public final class Optimizer {
    /** Valid names for {@link #byName}, in the order messages list them. */
    public static final List<String> NAMES = List.of("sgd", "adam", "rmsprop");

    private final String name;
    private final double learningRate;
    private final Map<String, Double> hyper;   // name-specific hyper-parameters, fixed order
    private final double emaMomentum;          // 0: no moving average of the weights

    private Optimizer(String name, double learningRate, Map<String, Double> hyper) { this(name, learningRate, hyper, 0); }

    private Optimizer(String name, double learningRate, Map<String, Double> hyper, double emaMomentum) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException(name + ": learning rate must be a positive finite number, got " + learningRate);
        }
        this.name = name;
        this.learningRate = learningRate;
        this.hyper = java.util.Collections.unmodifiableMap(hyper);
        if (!(emaMomentum >= 0 && emaMomentum < 1)) throw new IllegalArgumentException(name + ": ema_momentum must be in [0, 1) "
                + "(0: no moving average of the weights), got " + emaMomentum);
        this.emaMomentum = emaMomentum;
    }

    /** Keras SGD: {@code v = momentum·v − lr·g; p += v} (Nesterov: {@code p += momentum·v − lr·g}). */
    public static Optimizer sgd(double lr, double momentum, boolean nesterov) {
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("sgd: momentum must be in [0, 1), got " + momentum);
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("momentum", momentum);
        h.put("nesterov", nesterov ? 1.0 : 0.0);
        return new Optimizer("sgd", lr, h);
    }

    /** SGD with the Keras defaults: lr 0.01, momentum 0. */
    public static Optimizer sgd() { return sgd(0.01, 0, false); }

    /** Keras Adam (bias-corrected step size, ε outside the square root). */
    public static Optimizer adam(double lr, double beta1, double beta2, double epsilon) {
        requireUnit("adam", "beta1", beta1);
        requireUnit("adam", "beta2", beta2);
        requirePositive("adam", epsilon);
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("beta1", beta1);
        h.put("beta2", beta2);
        h.put("epsilon", epsilon);
        return new Optimizer("adam", lr, h);
    }

    /** Adam with the Keras defaults: lr 1e-3, β1 0.9, β2 0.999, ε 1e-7. */
    public static Optimizer adam() { return adam(1e-3, 0.9, 0.999, 1e-7); }

    /** Keras RMSprop without momentum, not centred: {@code ms = ρ·ms + (1−ρ)·g²; p −= lr·g / (√ms + ε)}. */
    public static Optimizer rmsprop(double lr, double rho, double epsilon) {
        requireUnit("rmsprop", "rho", rho);
        requirePositive("rmsprop", epsilon);
        Map<String, Double> h = new LinkedHashMap<>();
        h.put("rho", rho);
        h.put("epsilon", epsilon);
        return new Optimizer("rmsprop", lr, h);
    }

    /** RMSprop with the Keras defaults: lr 1e-3, ρ 0.9, ε 1e-7. */
    public static Optimizer rmsprop() { return rmsprop(1e-3, 0.9, 1e-7); }

    /** The optimizer called {@code name} (case-insensitive) with its Keras defaults; the message lists valid names. */
    public static Optimizer byName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case "sgd": return sgd();
            case "adam": return adam();
            case "rmsprop": return rmsprop();
            default: throw new IllegalArgumentException("unknown optimizer '" + name + "'; valid optimizers: " + String.join(", ", NAMES));
        }
    }

    /**
     * Rebuilds an optimizer from {@link #name()}, {@link #learningRate()} and {@link #hyperParameters()} as stored in
     * a checkpoint. Missing hyper-parameters take their defaults; unknown ones are an error naming them.
     */
    public static Optimizer of(String name, double lr, Map<String, Double> hyper) {
        Optimizer d = byName(name);
        for (String k : hyper.keySet()) {
            if (!d.hyper.containsKey(k)) throw new IllegalArgumentException("optimizer '" + d.name + "' has no hyper-parameter '" + k
                    + "'; it has " + d.hyper.keySet());
        }
        java.util.function.Function<String, Double> get = k -> hyper.getOrDefault(k, d.hyper.get(k));
        switch (d.name) {
            case "sgd": return sgd(lr, get.apply("momentum"), get.apply("nesterov") != 0);
            case "adam": return adam(lr, get.apply("beta1"), get.apply("beta2"), get.apply("epsilon"));
            default: return rmsprop(lr, get.apply("rho"), get.apply("epsilon"));
        }
    }

    /**
     * Rebuilds an optimizer as {@link #of(String, double, Map)} does, keeping the moving average of the weights with
     * {@code emaMomentum} (0: none).
     */
    public static Optimizer of(String name, double lr, Map<String, Double> hyper, double emaMomentum) {
        return of(name, lr, hyper).withEma(emaMomentum);
    }

    /** The same optimizer with another base learning rate. */
    public Optimizer withLearningRate(double lr) { return new Optimizer(name, lr, new LinkedHashMap<>(hyper), emaMomentum); }

    /**
     * The same optimizer keeping an exponential moving average of the weights (Keras's {@code use_ema=True,
     * ema_momentum=m}): after every step {@code average = d·average + (1 − d)·weights} with
     * {@code d = min(m, (1 + t) / (10 + t))} at step t ({@link EmaUpdate}), over the trainable parameters and the BN
     * moving statistics. Typical m: 0.99 to 0.9999; the average spans about 1 / (1 − m) steps. 0 turns it off.
     *
     * @throws IllegalArgumentException unless 0 ≤ m < 1
     */
    public Optimizer withEma(double momentum) { return new Optimizer(name, learningRate, new LinkedHashMap<>(hyper), momentum); }

    /** The momentum of the weights' moving average, 0 when none is kept. */
    public double emaMomentum() { return emaMomentum; }

    /** The op that updates the weights' moving average, or null when none is kept. */
    public EmaUpdate emaOp() { return emaMomentum == 0 ? null : new EmaUpdate((float) emaMomentum); }

    /** "sgd", "adam" or "rmsprop". */
    public String name() { return name; }

    /** The base learning rate, before any schedule or callback changes it. */
    public double learningRate() { return learningRate; }

    /** Name-specific hyper-parameters (SGD: momentum, nesterov as 0/1; Adam: beta1, beta2, epsilon; RMSprop: rho, epsilon). */
    public Map<String, Double> hyperParameters() { return hyper; }

    /** The update op for {@link dev.convkit.exec.CompiledModel}. */
    public OptimizerUpdate updateOp() {
        switch (name) {
            case "sgd": return new SgdUpdate((float) (double) hyper.get("momentum"), hyper.get("nesterov") != 0);
            case "adam": return new AdamUpdate((float) (double) hyper.get("beta1"), (float) (double) hyper.get("beta2"),
                    (float) (double) hyper.get("epsilon"));
            default: return new RmsPropUpdate((float) (double) hyper.get("rho"), (float) (double) hyper.get("epsilon"));
        }
    }

    private static void requireUnit(String opt, String what, double v) {
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(opt + ": " + what + " must be in [0, 1), got " + v);
    }

    private static void requirePositive(String opt, double eps) {
        if (!(eps > 0)) throw new IllegalArgumentException(opt + ": epsilon must be positive, got " + eps);
    }

    @Override public boolean equals(Object o) {
        return o instanceof Optimizer other && name.equals(other.name) && learningRate == other.learningRate && hyper.equals(other.hyper)
                && emaMomentum == other.emaMomentum;
    }

    @Override public int hashCode() { return java.util.Objects.hash(name, learningRate, hyper, emaMomentum); }

    /** e.g. {@code adam(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1.0E-7)}, then {@code , ema_momentum=0.999} when kept. */
    @Override public String toString() {
        StringBuilder sb = new StringBuilder(name).append("(lr=").append(learningRate);
        for (Map.Entry<String, Double> e : hyper.entrySet()) {
            sb.append(", ").append(e.getKey()).append('=');
            if (e.getKey().equals("nesterov")) sb.append(e.getValue() != 0);
            else sb.append(e.getValue());
        }
        if (emaMomentum > 0) sb.append(", ema_momentum=").append(emaMomentum);
        return sb.append(')').toString();
    }
}
