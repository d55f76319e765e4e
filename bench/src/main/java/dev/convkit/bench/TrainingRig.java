package dev.convkit.bench;

import dev.convkit.backend.Backend;
import dev.convkit.exec.CompiledModel;
import dev.convkit.graph.Precision;
import dev.convkit.graph.Model;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.ops.EmaUpdate;
import dev.convkit.ops.SgdUpdate;

/**
 * A workload bound to an open engine the way bench.py sets up PyTorch: model with its initializers, fixed random
 * inputs and labels reused every step, softmax cross-entropy on sparse labels and SGD with momentum 0.9 at
 * learning rate 0.01. An inference-only rig compiles the model without an optimizer, so it holds no gradient or
 * momentum memory (as PyTorch's eval-mode model under no_grad has none). The caller owns the engine; closing the rig
 * frees the compiled model only.
 */
public final class TrainingRig implements AutoCloseable {
    public static final float LEARNING_RATE = 0.01f;
    public static final float MOMENTUM = 0.9f;

    private final Workload workload;
    private final CompiledModel compiled;
    private final float[][] inputs;
    private final float[] labels;

    /** @param training whether the rig trains (optimizer state allocated) or only runs inference */
    public TrainingRig(Workload workload, Backend engine, boolean training) { this(workload, engine, training, Precision.FP32); }

    /** A rig whose steps run under {@code precision} (fp32, or mixed bf16: bf16 activations, f32 weights and loss). */
    public TrainingRig(Workload workload, Backend engine, boolean training, Precision precision) {
        this.workload = workload;
        Model model = workload.build();
        this.inputs = workload.randomInputs(model, 1);
        this.labels = workload.randomLabels(model, 2);
        this.compiled = new CompiledModel(model, engine, training ? new SgdUpdate(MOMENTUM, false) : null, precision);
        try {
            compiled.initialize(0);
        } catch (RuntimeException e) {
            compiled.close();
            throw e;
        }
    }

    public Workload workload() { return workload; }

    /**
     * Forward, loss, backward and the optimizer update of one batch; returns the loss (read back, so synchronised).
     * Only on a training rig.
     */
    public float trainStep() {
        return compiled.trainStep(inputs, labels, Labels.SPARSE, LEARNING_RATE).loss();
    }

    /** A training rig that also keeps the moving average of the weights with {@code op}, as {@code --ema} trains. */
    public TrainingRig withWeightAverage(EmaUpdate op) {
        compiled.averageWeights(op);
        return this;
    }

    /** Inference forward of one batch (moving BN statistics, no dropout), softmax read back. */
    public float[] inferStep() {
        return compiled.testStep(inputs, null, null).probs();
    }

    /** Runs {@code step} in the given mode: "train" or "infer". */
    public Object step(String mode) {
        return switch (mode) {
            case "train" -> trainStep();
            case "infer" -> inferStep();
            default -> throw new IllegalArgumentException("mode '" + mode + "' must be train or infer");
        };
    }

    @Override public void close() { compiled.close(); }
}
