package dev.convkit.layers;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Initializer;
import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.graph.ParamKind;
import dev.convkit.graph.ParamSpec;
import dev.convkit.graph.Value;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.tensor.Shape;
import java.util.List;

/**
 * Keras {@code BatchNormalization} over the channel axis of a (C, H, W) or (C) input; output has the input's shape.
 * Parameters (C each): {@code gamma} (ones) and {@code beta} (zeros) are trained; {@code moving_mean} (zeros) and
 * {@code moving_variance} (ones) are non-trainable state. Keras defaults: momentum 0.99, epsilon 1e-3.
 * Training lowers to {@link BatchNormTrain} (batch statistics; the moving statistics are updated in place with
 * {@code moving = momentum·moving + (1 − momentum)·batch}); inference lowers to {@link BatchNormInfer} with the
 * moving statistics.
 */
public final class BatchNormalization extends Layer {
    private float momentum = 0.99f;
    private float epsilon = 1e-3f;

    public BatchNormalization(String name) { super(name); }

    /** An unnamed layer; the model names it from its type and position. */
    public BatchNormalization() { this(null); }

    public BatchNormalization momentum(float m) {
        LayerArgs.requireUnapplied(this, "momentum");
        if (!(m >= 0f && m <= 1f)) throw new GraphException("layer " + this + ": momentum must be in [0, 1], got " + m);
        momentum = m;
        return this;
    }

    public BatchNormalization epsilon(float e) {
        LayerArgs.requireUnapplied(this, "epsilon");
        if (!(e > 0f) || Float.isInfinite(e)) throw new GraphException("layer " + this + ": epsilon must be > 0, got " + e);
        epsilon = e;
        return this;
    }

    public float momentum() { return momentum; }

    public float epsilon() { return epsilon; }

    @Override public String type() { return "BatchNormalization"; }

    @Override protected void checkInputs(List<Shape> inputs) {
        if (inputs.size() != 1) throw fail(inputs, "BatchNormalization takes exactly one input");
        int rank = inputs.get(0).rank();
        if (rank != 1 && rank != 3) throw fail(inputs, "BatchNormalization needs a (C, H, W) or (C) input");
    }

    @Override public List<ParamSpec> params(List<Shape> inputs) {
        checkInputs(inputs);
        Shape c = Shape.of(inputs.get(0).dim(0));
        return List.of(
                new ParamSpec("gamma", c, ParamKind.GAMMA, Initializer.ONES),
                new ParamSpec("beta", c, ParamKind.BETA, Initializer.ZEROS),
                new ParamSpec("moving_mean", c, ParamKind.MOVING_MEAN, Initializer.ZEROS),
                new ParamSpec("moving_variance", c, ParamKind.MOVING_VARIANCE, Initializer.ONES));
    }

    @Override public void lower(Lowering ctx) {
        Value x = ctx.input(0);
        Value gamma = ctx.param("gamma"), beta = ctx.param("beta");
        Value mean = ctx.param("moving_mean"), var = ctx.param("moving_variance");
        Value y = ctx.training()
                ? ctx.emit(new BatchNormTrain(epsilon, momentum), x, gamma, beta, mean, var).get(0)
                : ctx.emit(new BatchNormInfer(epsilon), x, gamma, beta, mean, var).get(0);
        ctx.output(0, y);
    }
}
