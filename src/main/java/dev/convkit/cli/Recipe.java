package dev.convkit.cli;

import dev.convkit.data.Augmentation;
import dev.convkit.graph.Precision;
import dev.convkit.io.Json;
import dev.convkit.io.JsonException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A training recipe from {@code models/<model>.json}: the hyper-parameters of the Keras seed a zoo model comes from,
 * and the accuracy that seed reports. Every field but {@code model} may be absent (null): a recipe gives defaults and
 * any command-line flag overrides them. Unknown keys are an error, so a typo never silently falls back to a default.
 *
 * <p>Keys: {@code model}, {@code title}, {@code seed} (where the values come from), {@code dataset}, {@code epochs},
 * {@code batch_size}, {@code optimizer} ("adam", "sgd", "rmsprop"), {@code lr}, {@code momentum} and
 * {@code nesterov} (SGD only), {@code schedule} ("constant", "steps", "cosine", "onecycle"), {@code warmup_epochs}
 * (linear warm-up before the schedule), {@code label_smoothing} (ε of the training targets),
 * {@code weight_decay} (coupled weight decay in [0, 1) on every kernel, as PyTorch's {@code SGD(weight_decay)}; see
 * {@link dev.convkit.train.TrainerBuilder#weightDecay}), {@code ema_momentum} (the weights' moving average, as
 * {@code --ema}), {@code reduce_lr_on_plateau}
 * ({@code {"factor", "patience", "min_lr"}}, monitoring val_loss as Keras does), {@code augment},
 * {@code augmentation} ({@code {"width_shift", "height_shift", "horizontal_flip", "pad_crop", "cutout"}}, each optional, as
 * {@link Augmentation}; used when augmenting), {@code subtract_pixel_mean},
 * {@code precision} ("fp32" or "bf16", as {@code --precision}),
 * {@code reported_accuracy} ({@code {"min", "max", "note"}}, fractions in [0, 1]; min = max for a single number),
 * {@code notes} (a string or a list of strings: why each choice was made; documentation only).
 */
public record Recipe(String model, String title, String seed, String dataset, Integer epochs, Integer batchSize,
                     String optimizer, Double lr, Double momentum, Boolean nesterov, String schedule, Double warmupEpochs,
                     Double labelSmoothing, Double weightDecay, Double emaMomentum, Plateau plateau, Boolean augment,
                     Augmentation augmentation, Boolean subtractPixelMean, ReportedAccuracy reportedAccuracy, Path source,
                     String precision) {

    /** Keras ReduceLROnPlateau on val_loss: multiply the rate by {@code factor} after {@code patience} epochs without improvement. */
    public record Plateau(double factor, int patience, double minLr) {}

    /** Test accuracy the seed reports, as fractions; {@code note} says where and how it was measured. */
    public record ReportedAccuracy(double min, double max, String note) {}

    private static final List<String> KEYS = List.of("model", "title", "seed", "dataset", "epochs", "batch_size", "optimizer", "lr",
            "momentum", "nesterov", "schedule", "warmup_epochs", "label_smoothing", "weight_decay", "ema_momentum", "reduce_lr_on_plateau", "augment", "augmentation", "subtract_pixel_mean", "precision", "reported_accuracy",
            "notes");
    private static final List<String> AUGMENTATION_KEYS = List.of("width_shift", "height_shift", "horizontal_flip", "pad_crop", "cutout");

    /** Reads and checks a recipe file; every problem is a {@link CliException} naming the file and the key. */
    public static Recipe load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CliException("recipe " + file + " does not exist; recipes live in models/<model>.json (see models/README.md)");
        } catch (IOException e) {
            throw new CliException("cannot read recipe " + file + ": " + e.getMessage());
        }
        try {
            return parse(Json.parseObject(text), file);
        } catch (JsonException e) {
            throw new CliException("recipe " + file + " is not valid: " + e.getMessage());
        }
    }

    /** Builds a recipe from a parsed JSON object; {@code source} is used in messages and may be null. */
    public static Recipe parse(Map<String, Object> o, Path source) {
        for (String k : o.keySet()) {
            if (!KEYS.contains(k)) throw new JsonException("unknown key '" + k + "'; valid keys: " + String.join(", ", KEYS));
        }
        Object notes = o.get("notes");
        if (notes != null && !(notes instanceof String) && !(notes instanceof List<?> l && l.stream().allMatch(e -> e instanceof String))) {
            throw new JsonException("key 'notes' must be a string or a list of strings, found " + Json.kind(notes));
        }
        String model = string(o, "model");
        if (model == null || model.isBlank()) throw new JsonException("key 'model' is required and must name a zoo model");
        Plateau plateau = null;
        Map<String, Object> p = object(o, "reduce_lr_on_plateau");
        if (p != null) {
            plateau = new Plateau(number(p, "reduce_lr_on_plateau.factor", "factor"),
                    (int) integer(p, "reduce_lr_on_plateau.patience", "patience"), number(p, "reduce_lr_on_plateau.min_lr", "min_lr"));
            if (!(plateau.factor() > 0 && plateau.factor() < 1)) throw new JsonException("reduce_lr_on_plateau.factor must be in (0, 1), got " + plateau.factor());
        }
        Augmentation aug = null;
        Map<String, Object> a = object(o, "augmentation");
        if (a != null) {
            for (String k : a.keySet()) {
                if (!AUGMENTATION_KEYS.contains(k)) throw new JsonException("unknown key 'augmentation." + k + "'; valid keys: " + String.join(", ", AUGMENTATION_KEYS));
            }
            try {
                aug = new Augmentation(a.containsKey("width_shift") ? number(a, "augmentation.width_shift", "width_shift") : 0,
                        a.containsKey("height_shift") ? number(a, "augmentation.height_shift", "height_shift") : 0,
                        a.containsKey("horizontal_flip") && bool(a, "augmentation.horizontal_flip", "horizontal_flip"),
                        a.containsKey("pad_crop") ? Math.toIntExact(integer(a, "augmentation.pad_crop", "pad_crop")) : 0,
                        a.containsKey("cutout") ? Math.toIntExact(integer(a, "augmentation.cutout", "cutout")) : 0);
            } catch (IllegalArgumentException e) {
                throw new JsonException("augmentation: " + e.getMessage());
            }
        }
        ReportedAccuracy acc = null;
        Map<String, Object> r = object(o, "reported_accuracy");
        if (r != null) {
            acc = new ReportedAccuracy(number(r, "reported_accuracy.min", "min"), number(r, "reported_accuracy.max", "max"),
                    r.get("note") instanceof String s ? s : null);
            if (!(acc.min() >= 0 && acc.min() <= acc.max() && acc.max() <= 1)) {
                throw new JsonException("reported_accuracy needs 0 <= min <= max <= 1 (fractions, not percent), got " + acc.min() + ".." + acc.max());
            }
        }
        Long epochs = o.containsKey("epochs") ? integer(o, "epochs", "epochs") : null;
        Long batch = o.containsKey("batch_size") ? integer(o, "batch_size", "batch_size") : null;
        Double lr = o.containsKey("lr") ? number(o, "lr", "lr") : null;
        Double momentum = o.containsKey("momentum") ? number(o, "momentum", "momentum") : null;
        Boolean nesterov = o.containsKey("nesterov") ? bool(o, "nesterov", "nesterov") : null;
        Double warmup = o.containsKey("warmup_epochs") ? number(o, "warmup_epochs", "warmup_epochs") : null;
        if (warmup != null && !(warmup >= 0)) throw new JsonException("warmup_epochs must be >= 0, got " + warmup);
        Double smoothing = o.containsKey("label_smoothing") ? number(o, "label_smoothing", "label_smoothing") : null;
        if (smoothing != null && !(smoothing >= 0 && smoothing < 1)) throw new JsonException("label_smoothing must be in [0, 1), got " + smoothing);
        Double decay = o.containsKey("weight_decay") ? number(o, "weight_decay", "weight_decay") : null;
        if (decay != null && !(decay >= 0 && decay < 1)) throw new JsonException("weight_decay must be in [0, 1), got " + decay);
        Double ema = o.containsKey("ema_momentum") ? number(o, "ema_momentum", "ema_momentum") : null;
        if (ema != null && !(ema >= 0 && ema < 1)) throw new JsonException("ema_momentum must be in [0, 1), got " + ema);
        Boolean augment = o.containsKey("augment") ? bool(o, "augment", "augment") : null;
        Boolean spm = o.containsKey("subtract_pixel_mean") ? bool(o, "subtract_pixel_mean", "subtract_pixel_mean") : null;
        return new Recipe(model, string(o, "title"), string(o, "seed"), string(o, "dataset"), epochs == null ? null : Math.toIntExact(epochs),
                batch == null ? null : Math.toIntExact(batch), string(o, "optimizer"), lr, momentum, nesterov, string(o, "schedule"),
                warmup, smoothing, decay, ema, plateau, augment, aug,
                spm, acc, source, precision(o));
    }

    /** The recipe's precision policy name, checked against the known ones now (null when absent). */
    private static String precision(Map<String, Object> o) {
        String p = string(o, "precision");
        if (p == null) return null;
        try {
            return Precision.of(p).cliName();
        } catch (IllegalArgumentException e) {
            throw new JsonException("key 'precision': " + e.getMessage());
        }
    }

    private static String string(Map<String, Object> o, String key) {
        Object v = o.get(key);
        if (v == null) return null;
        if (!(v instanceof String s)) throw new JsonException("key '" + key + "' must be a string, found " + Json.kind(v));
        return s;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Map<String, Object> o, String key) {
        Object v = o.get(key);
        if (v == null) return null;
        if (!(v instanceof Map)) throw new JsonException("key '" + key + "' must be an object, found " + Json.kind(v));
        return (Map<String, Object>) v;
    }

    private static double number(Map<String, Object> o, String path, String key) {
        Object v = o.get(key);
        if (!(v instanceof Number n)) throw new JsonException("key '" + path + "' must be a number, found " + Json.kind(v));
        return n.doubleValue();
    }

    private static long integer(Map<String, Object> o, String path, String key) {
        Object v = o.get(key);
        if (!(v instanceof Long l)) throw new JsonException("key '" + path + "' must be an integer, found " + Json.kind(v) + (v == null ? "" : " " + v));
        return l;
    }

    private static boolean bool(Map<String, Object> o, String path, String key) {
        Object v = o.get(key);
        if (!(v instanceof Boolean b)) throw new JsonException("key '" + path + "' must be true or false, found " + Json.kind(v));
        return b;
    }
}
