package dev.convkit.layers;

import dev.convkit.graph.Initializer;
import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.graph.ParamKind;
import dev.convkit.graph.ParamSpec;
import dev.convkit.graph.Value;
import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.DenseOp;
import dev.convkit.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Keras {@code Dense}: (K) → (units). Parameters: {@code kernel} [K, units] (Keras layout; default glorot_uniform,
 * optional l2) and, unless {@link #useBias(boolean) useBias(false)}, {@code bias} [units] (zeros). The input must
 * be a feature vector: put {@link Flatten} or {@link GlobalAveragePooling2D} before it. An optional fused
 * activation ("relu", "sigmoid", "tanh", "softmax") is applied inside this layer.
 */
public final class Dense extends Layer {
    private final int units;
    private boolean useBias = true;
    private Initializer kernelInit = Initializer.GLOROT_UNIFORM;
    private float l2;
    private ActivationOp.Kind activation;

    public Dense(String name, int units) {
        super(name);
        this.units = LayerArgs.positive(this, "units", units);
    }

    /** An unnamed layer; the model names it from its type and position. */
    public Dense(int units) { this(null, units); }

    public Dense useBias(boolean b) {
        LayerArgs.requireUnapplied(this, "use_bias");
        useBias = b;
        return this;
    }

    public Dense kernelInitializer(Initializer init) {
        LayerArgs.requireUnapplied(this, "kernel_initializer");
        kernelInit = init;
        return this;
    }

    /** Keras {@code kernel_regularizer=l2(lambda)}: adds lambda·Σkernel² to the loss. */
    public Dense kernelRegularizerL2(float lambda) {
        LayerArgs.requireUnapplied(this, "kernel_regularizer");
        l2 = LayerArgs.l2(this, lambda);
        return this;
    }

    public Dense activation(String name) {
        LayerArgs.requireUnapplied(this, "activation");
        activation = LayerArgs.activation(this, name);
        return this;
    }

    public int units() { return units; }

    public boolean useBias() { return useBias; }

    /** The fused activation's Keras name ("relu", "sigmoid", "tanh", "softmax"), or null when there is none. */
    public String fusedActivation() { return activation == null ? null : activation.lower(); }

    @Override public String type() { return "Dense"; }

    @Override protected void checkInputs(List<Shape> inputs) {
        if (inputs.size() != 1) throw fail(inputs, "Dense takes exactly one input");
        if (inputs.get(0).rank() != 1) {
            throw fail(inputs, "Dense needs a (features) vector input; add Flatten or GlobalAveragePooling2D before it");
        }
    }

    @Override public List<ParamSpec> params(List<Shape> inputs) {
        checkInputs(inputs);
        int k = inputs.get(0).dim(0);
        List<ParamSpec> ps = new ArrayList<>();
        ps.add(new ParamSpec("kernel", Shape.of(k, units), ParamKind.KERNEL, kernelInit, l2));
        if (useBias) ps.add(new ParamSpec("bias", Shape.of(units), ParamKind.BIAS, Initializer.ZEROS));
        return ps;
    }

    @Override public void lower(Lowering ctx) {
        Value x = ctx.input(0);
        DenseOp op = new DenseOp(useBias);
        Value y = useBias ? ctx.emit(op, x, ctx.param("kernel"), ctx.param("bias")).get(0)
                : ctx.emit(op, x, ctx.param("kernel")).get(0);
        if (activation != null) y = ctx.emit(new ActivationOp(activation), y).get(0);
        ctx.output(0, y);
    }
}
