package dev.convkit.layers;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Initializer;
import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.graph.ParamKind;
import dev.convkit.graph.ParamSpec;
import dev.convkit.graph.Value;
import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Keras {@code Conv2D}: input (C, H, W) → (filters, OH, OW). Parameters: {@code kernel} [filters, C/groups, KH, KW]
 * (Keras default glorot_uniform, optional l2 regulariser) and, unless {@link #useBias(boolean) useBias(false)},
 * {@code bias} [filters] initialised to zeros. Padding {@link Padding#SAME} is TensorFlow's rule computed from the
 * actual input H and W (stride 2 on an even input pads 0 before and 1 after). An optional fused activation
 * ({@code activation="relu"} in Keras) is applied inside this layer. With {@link #groups(int) groups(g)} (Keras
 * {@code groups}) the input channels and the filters split into g groups, each filter reading only its group's
 * channels; both counts must be multiples of g.
 *
 * <pre>{@code new Conv2D("stage2/block1/conv1", 32, 3).strides(2).padding(Padding.SAME)
 *         .kernelInitializer(Initializer.HE_NORMAL).kernelRegularizerL2(1e-4f).apply(x)}</pre>
 */
public final class Conv2D extends Layer {
    private final int filters, kernelH, kernelW;
    private int strideH = 1, strideW = 1, dilationH = 1, dilationW = 1, groups = 1;
    private Padding padding = Padding.VALID;
    private boolean useBias = true;
    private Initializer kernelInit = Initializer.GLOROT_UNIFORM;
    private float l2;
    private ActivationOp.Kind activation;

    /** A square {@code kernel x kernel} convolution; Keras defaults: stride 1, valid padding, bias, glorot_uniform. */
    public Conv2D(String name, int filters, int kernel) { this(name, filters, kernel, kernel); }

    public Conv2D(String name, int filters, int kernelH, int kernelW) {
        super(name);
        this.filters = LayerArgs.positive(this, "filters", filters);
        this.kernelH = LayerArgs.positive(this, "kernel height", kernelH);
        this.kernelW = LayerArgs.positive(this, "kernel width", kernelW);
    }

    /** An unnamed layer; the model names it from its type and position. */
    public Conv2D(int filters, int kernel) { this(null, filters, kernel, kernel); }

    public Conv2D strides(int s) { return strides(s, s); }

    public Conv2D strides(int sh, int sw) {
        LayerArgs.requireUnapplied(this, "strides");
        strideH = LayerArgs.positive(this, "stride", sh);
        strideW = LayerArgs.positive(this, "stride", sw);
        return this;
    }

    public Conv2D dilation(int d) { return dilation(d, d); }

    public Conv2D dilation(int dh, int dw) {
        LayerArgs.requireUnapplied(this, "dilation");
        dilationH = LayerArgs.positive(this, "dilation", dh);
        dilationW = LayerArgs.positive(this, "dilation", dw);
        return this;
    }

    /** Keras {@code groups}: g independent convolutions over C/g channels each; filters must be a multiple of g. */
    public Conv2D groups(int g) {
        LayerArgs.requireUnapplied(this, "groups");
        LayerArgs.positive(this, "groups", g);
        if (filters % g != 0) {
            throw new GraphException("layer " + this + ": filters " + filters + " must be a multiple of groups " + g);
        }
        groups = g;
        return this;
    }

    public Conv2D padding(Padding p) {
        LayerArgs.requireUnapplied(this, "padding");
        padding = p;
        return this;
    }

    public Conv2D useBias(boolean b) {
        LayerArgs.requireUnapplied(this, "use_bias");
        useBias = b;
        return this;
    }

    public Conv2D kernelInitializer(Initializer init) {
        LayerArgs.requireUnapplied(this, "kernel_initializer");
        kernelInit = init;
        return this;
    }

    /** Keras {@code kernel_regularizer=l2(lambda)}: adds lambda·Σkernel² to the loss. */
    public Conv2D kernelRegularizerL2(float lambda) {
        LayerArgs.requireUnapplied(this, "kernel_regularizer");
        l2 = LayerArgs.l2(this, lambda);
        return this;
    }

    /** Fused activation applied to the convolution output: "relu", "sigmoid" or "tanh". */
    public Conv2D activation(String name) {
        LayerArgs.requireUnapplied(this, "activation");
        activation = LayerArgs.activation(this, name);
        return this;
    }

    @Override public String type() { return "Conv2D"; }

    public int filters() { return filters; }

    public boolean useBias() { return useBias; }

    /** The fused activation's Keras name ("relu", "sigmoid", "tanh"), or null when there is none. */
    public String fusedActivation() { return activation == null ? null : activation.lower(); }

    public int groups() { return groups; }

    /** The window for an input of shape (C, H, W): explicit TF-style padding when {@link Padding#SAME}. */
    public Window2d window(Shape input) {
        if (input.rank() != 3) throw new GraphException("layer " + this + ": a window needs a (C, H, W) input, got " + input);
        if (strideH * strideW > 1 && dilationH * dilationW > 1) {
            throw new GraphException("layer " + this + ": strides " + strideH + "x" + strideW + " and dilation "
                    + dilationH + "x" + dilationW + " cannot both exceed 1 (as in Keras)");
        }
        return padding == Padding.SAME
                ? Window2d.same(input.dim(1), input.dim(2), kernelH, kernelW, strideH, strideW, dilationH, dilationW)
                : Window2d.valid(kernelH, kernelW, strideH, strideW, dilationH, dilationW);
    }

    private Shape kernelShape(Shape input) { return Shape.of(filters, input.dim(0) / groups, kernelH, kernelW); }

    @Override protected void checkInputs(List<Shape> inputs) {
        checkImageInput(inputs);
        if (inputs.get(0).dim(0) % groups != 0) throw fail(inputs, "input channels must be a multiple of groups " + groups);
    }

    @Override public List<ParamSpec> params(List<Shape> inputs) {
        checkInputs(inputs);
        Shape x = inputs.get(0);
        List<ParamSpec> ps = new ArrayList<>();
        ps.add(new ParamSpec("kernel", kernelShape(x), ParamKind.KERNEL, kernelInit, l2));
        if (useBias) ps.add(new ParamSpec("bias", Shape.of(filters), ParamKind.BIAS, Initializer.ZEROS));
        return ps;
    }

    @Override public void lower(Lowering ctx) {
        Value x = ctx.input(0);
        Conv2d op = new Conv2d(window(x.spec().shape().dropBatch()), useBias, groups);
        Value y = useBias ? ctx.emit(op, x, ctx.param("kernel"), ctx.param("bias")).get(0)
                : ctx.emit(op, x, ctx.param("kernel")).get(0);
        if (activation != null) y = ctx.emit(new ActivationOp(activation), y).get(0);
        ctx.output(0, y);
    }
}
