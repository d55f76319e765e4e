package dev.convkit.cli;

import dev.convkit.data.Augmentation;
import dev.convkit.data.Datasets;
import dev.convkit.models.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code convkit fit}: trains a zoo model on a dataset. Defaults come from the model's recipe
 * ({@code models/<model>.json}, or {@code --recipe}); every flag given overrides the recipe. Flags are nullable so
 * "not given" is distinguishable from a value equal to the default.
 */
@Command(name = "fit", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a zoo model on a dataset, with a progress bar, a per-epoch checkpoint and CSV log, and loss/accuracy plots.",
                "Defaults come from the model's recipe models/<model>.json (see models/README.md) when there is one; any flag overrides it.",
                "Ctrl-C stops at the end of the running step, keeps the checkpoint of the last complete epoch, draws the plots and prints the "
                        + "command that continues the run (exit code 130); a second Ctrl-C exits at once."},
        footer = {"", "Example:", "  convkit fit --model resnet20v1 --dataset cifar10 --epochs 200 --batch-size 32 --optimizer adam --lr 1e-3 --augment --engine auto --out runs/r20",
                "  convkit fit --model mnist_cnn --epochs 1 --limit-train 2000 --limit-test 500 --engine cpu --out runs/quick",
                "  convkit fit --resume runs/r20 --epochs 250"})
final class FitCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", description = "Zoo model (see 'convkit models').")
    String model;

    @Option(names = "--recipe", paramLabel = "FILE|MODEL", description = "Recipe with the defaults: a JSON file or a model name (models/<name>.json).")
    String recipe;

    @Option(names = "--no-recipe", description = "Do not read models/<model>.json: start from the built-in defaults.")
    boolean noRecipe;

    @Option(names = "--dataset", paramLabel = "NAME", description = "mnist, fashion_mnist, cifar10 or cifar100.")
    String dataset;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder searched first for the dataset files.")
    Path dataDir;

    @Option(names = "--offline", description = "Never download: missing dataset files are an error at once.")
    boolean offline;

    @Option(names = "--epochs", paramLabel = "N", description = {"Epochs to train (total, counting the epochs of a resumed run; default 1 without a recipe).",
                    ScheduleExtension.HELP})
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per batch (default 32 without a recipe).")
    Integer batchSize;

    @Option(names = "--optimizer", paramLabel = "NAME", description = "sgd, adam or rmsprop (default adam without a recipe).")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE", description = "Base learning rate (default: the optimizer's Keras default).")
    Double lr;

    @Option(names = "--momentum", paramLabel = "M", description = "SGD momentum in [0, 1) (default 0).")
    Double momentum;

    @Option(names = "--nesterov", negatable = true, description = "Nesterov momentum for sgd (default off).")
    Boolean nesterov;

    @Option(names = "--schedule", paramLabel = "NAME", description = "Learning-rate schedule: constant, steps (the Keras CIFAR ResNet steps), cosine, onecycle.")
    String schedule;

    @Option(names = "--warmup-epochs", paramLabel = "E", description = "Linear learning-rate warm-up over the first E epochs (fractions allowed; default 0).")
    Double warmupEpochs;

    @Option(names = "--label-smoothing", paramLabel = "EPS", description = "Smooth the training targets: (1 - EPS)·one-hot + EPS/classes (default 0).")
    Double labelSmoothing;

    @Option(names = "--weight-decay", paramLabel = "WD", description = "Coupled weight decay in [0, 1) on every conv and dense kernel: adds WD·w to each kernel's gradient, as PyTorch's SGD(weight_decay=WD), with any optimizer (default 0).")
    Double weightDecay;

    @Option(names = "--ema", paramLabel = "M", description = "Keep the exponential moving average of the weights with momentum M in (0, 1), as Keras's use_ema/ema_momentum (0.999 spans about 1,000 steps); validation, best.* and evaluate then use the average (default 0: none).")
    Double ema;

    @Option(names = "--reduce-lr-on-plateau", negatable = true, description = "Keras ReduceLROnPlateau on val_loss (recipe values, else factor sqrt(0.1), patience 5, min_lr 0.5e-6).")
    Boolean plateau;

    @Option(names = "--augment", negatable = true, description = "Random shifts (0.1) and, for CIFAR, horizontal flips during training.")
    Boolean augment;

    @Option(names = "--subtract-pixel-mean", negatable = true, description = "Subtract the training set's mean image from every image (Keras seeds).")
    Boolean subtractPixelMean;

    @Mixin EngineOptions engine = new EngineOptions();

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of initialisation, shuffling and augmentation (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder for checkpoints, log.csv and plots (default runs/<model>-<dataset>-<time>).")
    Path out;

    @Option(names = "--overwrite", description = "Replace the run already in --out instead of refusing.")
    boolean overwrite;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run in DIR from its last checkpoint, with its settings (only --epochs, --data-dir and engine options may change).")
    Path resume;

    @Option(names = "--limit-train", paramLabel = "N", description = "Train on the first N training images only (quick runs).")
    Integer limitTrain;

    @Option(names = "--limit-test", paramLabel = "N", description = "Validate on the first N test images only.")
    Integer limitTest;

    @Option(names = "--progress", defaultValue = "auto", paramLabel = "MODE", description = "auto, bar (redrawn in place), lines (plain lines for logs) or off.")
    String progress;

    @Option(names = "--init-from", paramLabel = "FILE", description = "Start from the weights of this ONNX file (the same zoo model, as 'convkit export' writes it) instead of a random initialisation.")
    Path initFrom;

    @Override public Integer call() throws IOException {
        if (resume != null && initFrom != null) throw CliException.usage("--init-from starts a new run; it cannot be combined with --resume");
        FitRun run = new FitRun(spec.commandLine().getOut(), engine, progress, offline).diagnoseNonFinite(verbose());
        if (resume != null) return run.resume(resume, resumeOverrides());
        FitConfig config = resolve();
        return run.initFrom(initFrom).start(config, outFolder(config), overwrite);
    }

    /** The global {@code --verbose}, given before or after {@code fit} (the option is inherited from {@link Main}). */
    private boolean verbose() {
        OptionSpec own = spec.findOption("--verbose");
        if (own != null && Boolean.TRUE.equals(own.getValue())) return true;
        CommandLine parent = spec.commandLine().getParent();
        return parent != null && parent.getCommand() instanceof Main m && m.verbose;
    }

    /** Merges the recipe (explicit, or the model's own unless --no-recipe) with the flags; validates every value. */
    FitConfig resolve() {
        Recipe r = recipe();
        String m = model != null ? model : r == null ? null : r.model();
        if (m == null) throw CliException.usage("--model is required (or --recipe): name a zoo model, e.g. --model resnet20v1; 'convkit models' lists them");
        Choices.model(m);
        String ds = dataset != null ? dataset : r == null ? null : r.dataset();
        if (ds == null) {
            throw CliException.usage("--dataset is required: " + (r == null ? "model '" + m + "' has no recipe" : "recipe " + r.source() + " names none")
                    + "; valid datasets: " + String.join(", ", Datasets.NAMES));
        }
        ds = Choices.dataset(ds);
        int ep = Choices.positive("--epochs", pick(epochs, r == null ? null : r.epochs(), 1));
        int bs = Choices.positive("--batch-size", pick(batchSize, r == null ? null : r.batchSize(), 32));
        String opt = Choices.optimizer(pick(optimizer, r == null ? null : r.optimizer(), "adam"));
        double rate = lr != null ? Choices.positive("--lr", lr) : r != null && r.lr() != null ? r.lr() : Double.NaN;
        double mom = momentum != null ? momentum : r != null && r.momentum() != null && opt.equals("sgd") ? r.momentum() : Double.NaN;
        if (!Double.isNaN(mom)) {
            if (!opt.equals("sgd")) throw CliException.usage("--momentum applies to the sgd optimizer only, not " + opt);
            if (!(mom >= 0 && mom < 1)) throw CliException.usage("--momentum must be in [0, 1), got " + mom);
        }
        boolean nest = pick(nesterov, r == null || !opt.equals("sgd") ? null : r.nesterov(), false);
        if (nest && !opt.equals("sgd")) throw CliException.usage("--nesterov applies to the sgd optimizer only, not " + opt);
        String sched = Choices.schedule(pick(schedule, r == null ? null : r.schedule(), "constant"));
        double warm = pick(warmupEpochs, r == null ? null : r.warmupEpochs(), 0.0);
        if (!(warm >= 0 && warm < ep)) throw CliException.usage("--warmup-epochs must be in [0, " + ep + ") (fewer than the epochs), got " + warm);
        if (warm > 0 && sched.equals("onecycle")) throw CliException.usage("--warmup-epochs does not apply to the onecycle schedule, which warms up by itself");
        double smooth = pick(labelSmoothing, r == null ? null : r.labelSmoothing(), 0.0);
        if (!(smooth >= 0 && smooth < 1)) throw CliException.usage("--label-smoothing must be in [0, 1), got " + smooth);
        double decay = pick(weightDecay, r == null ? null : r.weightDecay(), 0.0);
        if (!(decay >= 0 && decay < 1)) throw CliException.usage("--weight-decay must be in [0, 1), got " + decay);
        double emaMomentum = pick(ema, r == null ? null : r.emaMomentum(), 0.0);
        if (!(emaMomentum >= 0 && emaMomentum < 1)) throw CliException.usage("--ema must be in [0, 1) (0: no moving average), got " + emaMomentum);
        Recipe.Plateau pl = r == null ? null : r.plateau();
        if (plateau != null) pl = plateau ? (pl != null ? pl : new Recipe.Plateau(Math.sqrt(0.1), 5, 0.5e-6)) : null;
        boolean aug = pick(augment, r == null ? null : r.augment(), false);
        // The recipe's augmentation belongs to its dataset: on another one (--dataset override) the dataset's default applies.
        boolean recipeData = r != null && (r.dataset() == null || r.dataset().equals(ds));
        Augmentation augmentation = recipeData && r.augmentation() != null ? r.augmentation() : FitConfig.defaultAugmentation(ds);
        boolean spm = pick(subtractPixelMean, r == null ? null : r.subtractPixelMean(), false);
        if (limitTrain != null) Choices.positive("--limit-train", limitTrain);
        if (limitTest != null) Choices.positive("--limit-test", limitTest);
        Choices.engine(engine.engine);
        String prec = engine.precision(r == null ? null : r.precision()).cliName();
        // The model must take the dataset's images: fail now, before folders are made or data is read.
        Models.build(m, ModelConfig.defaults().withInput(DatasetShapes.image(ds).dims()).withClasses(DatasetShapes.classes(ds)));
        return new FitConfig(m, ds, dataDir, ep, bs, opt, rate, mom, nest, sched, warm, smooth, decay, emaMomentum, pl, aug, augmentation, spm, seed, limitTrain, limitTest,
                r == null ? null : r.source(), prec);
    }

    private Recipe recipe() {
        if (recipe != null) {
            if (noRecipe) throw CliException.usage("--recipe and --no-recipe contradict each other");
            return Recipe.load(Recipes.resolve(recipe));
        }
        if (noRecipe || model == null) return null;
        Optional<Path> own = Recipes.forModel(Choices.model(model));
        return own.map(Recipe::load).orElse(null);
    }

    private static <T> T pick(T flag, T fromRecipe, T fallback) { return flag != null ? flag : fromRecipe != null ? fromRecipe : fallback; }

    private Path outFolder(FitConfig c) {
        if (out != null) return out;
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        return Path.of("runs", c.model() + "-" + c.dataset() + "-" + stamp);
    }

    /** With --resume only the total epochs and the data folder may change; anything else would change the run. */
    FitRun.ResumeOverrides resumeOverrides() {
        List<String> fixed = new ArrayList<>();
        if (model != null) fixed.add("--model");
        if (recipe != null) fixed.add("--recipe");
        if (dataset != null) fixed.add("--dataset");
        if (batchSize != null) fixed.add("--batch-size");
        if (optimizer != null) fixed.add("--optimizer");
        if (lr != null) fixed.add("--lr");
        if (momentum != null) fixed.add("--momentum");
        if (nesterov != null) fixed.add("--[no-]nesterov");
        if (schedule != null) fixed.add("--schedule");
        if (warmupEpochs != null) fixed.add("--warmup-epochs");
        if (labelSmoothing != null) fixed.add("--label-smoothing");
        if (weightDecay != null) fixed.add("--weight-decay");
        if (ema != null) fixed.add("--ema");
        if (plateau != null) fixed.add("--[no-]reduce-lr-on-plateau");
        if (augment != null) fixed.add("--[no-]augment");
        if (subtractPixelMean != null) fixed.add("--[no-]subtract-pixel-mean");
        if (limitTrain != null) fixed.add("--limit-train");
        if (limitTest != null) fixed.add("--limit-test");
        if (out != null) fixed.add("--out");
        if (spec.commandLine().getParseResult() != null && spec.commandLine().getParseResult().hasMatchedOption("--seed")) fixed.add("--seed");
        if (!fixed.isEmpty()) {
            throw CliException.usage("--resume continues " + resume + " with the settings it was started with, so " + String.join(", ", fixed)
                    + (fixed.size() == 1 ? " is" : " are") + " not allowed with it; only --epochs (the new total), --data-dir and the engine options may change");
        }
        if (epochs != null) Choices.positive("--epochs", epochs);
        return new FitRun.ResumeOverrides(epochs, dataDir);
    }
}
