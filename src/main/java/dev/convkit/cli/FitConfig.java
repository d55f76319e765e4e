package dev.convkit.cli;

import dev.convkit.data.Augmentation;
import dev.convkit.io.Json;
import dev.convkit.train.EpochLogs;
import dev.convkit.train.LearningRateSchedule;
import dev.convkit.train.Monitor;
import dev.convkit.train.Optimizer;
import dev.convkit.train.ReduceLROnPlateau;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings of one training run, after the recipe's defaults and the command line's flags were merged. Recorded
 * in the checkpoint ({@link #toRunInfo}) so that {@code --resume}, {@code evaluate} and {@code predict} rebuild the
 * same model and preprocessing ({@link #fromRunInfo}).
 *
 * @param lr               base learning rate; NaN = the optimizer's Keras default
 * @param momentum         SGD momentum; NaN = 0 (Keras default)
 * @param nesterov         SGD with Nesterov momentum
 * @param warmupEpochs     linear warm-up before the schedule (0 = none); cosine then decays over the remaining epochs
 * @param labelSmoothing   ε of the training targets (0 = exact one-hot / sparse labels)
 * @param weightDecay      coupled weight decay on every kernel (0 = none); see {@link dev.convkit.train.TrainerBuilder#weightDecay}
 * @param emaMomentum      momentum of the weights' moving average, which validation and checkpoints then use (0 = none);
 *                         see {@link Optimizer#withEma}
 * @param plateau          ReduceLROnPlateau on val_loss, or null for none
 * @param augmentation     what --augment does (shifts, flip, pad-crop)
 * @param limitTrain       first N training records, or null for all
 * @param recipe           the recipe file the defaults came from, or null
 * @param precision        the precision policy ("fp32" or "bf16"); checkpoints are the same under both
 */
record FitConfig(String model, String dataset, Path dataDir, int epochs, int batchSize, String optimizer, double lr, double momentum,
                 boolean nesterov, String schedule, double warmupEpochs, double labelSmoothing, double weightDecay, double emaMomentum, Recipe.Plateau plateau, boolean augment, Augmentation augmentation, boolean subtractPixelMean,
                 long seed, Integer limitTrain, Integer limitTest, Path recipe, String precision) {

    /** The optimizer with this run's rate (and momentum for SGD) and moving average; Keras defaults otherwise. */
    Optimizer buildOptimizer() {
        Optimizer base = Optimizer.byName(optimizer);
        double rate = Double.isNaN(lr) ? base.learningRate() : lr;
        Optimizer o = optimizer.equals("sgd") ? Optimizer.sgd(rate, Double.isNaN(momentum) ? 0 : momentum, nesterov) : base.withLearningRate(rate);
        return o.withEma(emaMomentum);
    }

    LearningRateSchedule buildSchedule() { return LearningRateSchedule.byName(schedule, epochs, warmupEpochs); }

    /** Keras ReduceLROnPlateau on val_loss with the recipe's factor, patience and min_lr (min_delta 1e-4, cooldown 0). */
    ReduceLROnPlateau buildPlateau() {
        return plateau == null ? null
                : new ReduceLROnPlateau(Monitor.auto(EpochLogs.VAL_LOSS), plateau.factor(), plateau.patience(), 1e-4, 0, plateau.minLr());
    }

    /** The training-time augmentation in force: {@link Augmentation#NONE} unless --augment. */
    Augmentation effectiveAugmentation() { return augment ? augmentation : Augmentation.NONE; }

    /**
     * What --augment does when no recipe says: the Keras CIFAR seeds' shifts of 0.1 with horizontal flips; for the
     * digit datasets shifts only (a mirrored digit is another symbol).
     */
    static Augmentation defaultAugmentation(String dataset) {
        return dataset.startsWith("cifar") ? Augmentation.shiftAndFlip(0.1) : new Augmentation(0.1, 0.1, false, 0);
    }

    /**
     * JSON-compatible record for the checkpoint's run info. Unset values (no data dir, the optimizer's default rate, no
     * limit, no recipe, no plateau) are left out, and read back as unset.
     */
    Map<String, Object> toRunInfo() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", "fit");
        m.put("model", model);
        m.put("dataset", dataset);
        if (dataDir != null) m.put("data_dir", dataDir.toString());
        m.put("epochs", epochs);
        m.put("batch_size", batchSize);
        m.put("optimizer", optimizer);
        if (!Double.isNaN(lr)) m.put("lr", lr);
        if (!Double.isNaN(momentum)) m.put("momentum", momentum);
        if (nesterov) m.put("nesterov", true);
        m.put("schedule", schedule);
        if (warmupEpochs > 0) m.put("warmup_epochs", warmupEpochs);
        if (labelSmoothing > 0) m.put("label_smoothing", labelSmoothing);
        if (weightDecay > 0) m.put("weight_decay", weightDecay);
        if (emaMomentum > 0) m.put("ema_momentum", emaMomentum);
        if (plateau != null) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("factor", plateau.factor());
            p.put("patience", plateau.patience());
            p.put("min_lr", plateau.minLr());
            m.put("reduce_lr_on_plateau", p);
        }
        m.put("augment", augment);
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("width_shift", augmentation.widthShift());
        a.put("height_shift", augmentation.heightShift());
        a.put("horizontal_flip", augmentation.horizontalFlip());
        a.put("pad_crop", augmentation.padCrop());
        if (augmentation.cutout() > 0) a.put("cutout", augmentation.cutout());
        m.put("augmentation", a);
        m.put("subtract_pixel_mean", subtractPixelMean);
        m.put("seed", seed);
        if (limitTrain != null) m.put("limit_train", limitTrain);
        if (limitTest != null) m.put("limit_test", limitTest);
        if (recipe != null) m.put("recipe", recipe.toString());
        m.put("precision", precision);
        return m;
    }

    /** Reads {@link #toRunInfo}'s form back; {@code where} names the checkpoint in messages. */
    @SuppressWarnings("unchecked")
    static FitConfig fromRunInfo(Map<String, Object> m, Path where) {
        try {
            if (!"fit".equals(m.get("command"))) throw new IllegalArgumentException("it was not written by 'convkit fit'");
            Recipe.Plateau plateau = null;
            if (m.get("reduce_lr_on_plateau") instanceof Map<?, ?> p0) {
                Map<String, Object> p = (Map<String, Object>) p0;
                plateau = new Recipe.Plateau(Json.toDouble(p.get("factor")), (int) Json.toLong(p.get("patience")), Json.toDouble(p.get("min_lr")));
            }
            Map<String, Object> a = (Map<String, Object>) m.get("augmentation");
            Augmentation aug = new Augmentation(Json.toDouble(a.get("width_shift")), Json.toDouble(a.get("height_shift")),
                    (Boolean) a.get("horizontal_flip"), (int) Json.toLong(a.get("pad_crop")),
                    a.get("cutout") == null ? 0 : (int) Json.toLong(a.get("cutout")));
            return new FitConfig((String) m.get("model"), (String) m.get("dataset"), path(m.get("data_dir")), (int) Json.toLong(m.get("epochs")),
                    (int) Json.toLong(m.get("batch_size")), (String) m.get("optimizer"), Json.toDouble(m.get("lr")), Json.toDouble(m.get("momentum")),
                    Boolean.TRUE.equals(m.get("nesterov")), (String) m.get("schedule"), orZero(m.get("warmup_epochs")),
                    orZero(m.get("label_smoothing")), orZero(m.get("weight_decay")), orZero(m.get("ema_momentum")), plateau, (Boolean) m.get("augment"), aug, (Boolean) m.get("subtract_pixel_mean"),
                    Json.toLong(m.get("seed")), integer(m.get("limit_train")), integer(m.get("limit_test")), path(m.get("recipe")),
                    m.get("precision") == null ? "fp32" : (String) m.get("precision"));
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new CliException("the checkpoint in " + where + " has no usable record of how it was trained (run info): " + e.getMessage()
                    + "; only checkpoints written by 'convkit fit' can be resumed, evaluated or used for prediction from the command line");
        }
    }

    /** Settings added after the first run folders were written read as 0 when absent. */
    private static double orZero(Object o) { return o == null ? 0 : Json.toDouble(o); }

    private static Path path(Object o) { return o == null ? null : Path.of((String) o); }

    private static Integer integer(Object o) { return o == null ? null : Math.toIntExact(Json.toLong(o)); }

    /** The same settings training up to {@code total} epochs. */
    FitConfig withEpochs(int total) {
        return new FitConfig(model, dataset, dataDir, total, batchSize, optimizer, lr, momentum, nesterov, schedule, warmupEpochs,
                labelSmoothing, weightDecay, emaMomentum, plateau, augment, augmentation,
                subtractPixelMean, seed, limitTrain, limitTest, recipe, precision);
    }

    /** The same settings under another precision policy (checkpoints are interchangeable between them). */
    FitConfig withPrecision(String p) {
        return new FitConfig(model, dataset, dataDir, epochs, batchSize, optimizer, lr, momentum, nesterov, schedule, warmupEpochs,
                labelSmoothing, weightDecay, emaMomentum, plateau, augment, augmentation, subtractPixelMean, seed, limitTrain, limitTest, recipe, p);
    }

    /** The same settings reading data from {@code dir}. */
    FitConfig withDataDir(Path dir) {
        return new FitConfig(model, dataset, dir, epochs, batchSize, optimizer, lr, momentum, nesterov, schedule, warmupEpochs,
                labelSmoothing, weightDecay, emaMomentum, plateau, augment, augmentation,
                subtractPixelMean, seed, limitTrain, limitTest, recipe, precision);
    }
}
