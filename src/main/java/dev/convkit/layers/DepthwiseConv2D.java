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
 * Keras {@code DepthwiseConv2D}: input (C, H, W) → (C·m, OH, OW) with m = {@code depthMultiplier}; each input
 * channel c is convolved on its own with m kernels, giving output channels c·m … c·m + m − 1. It is the grouped
 * convolution with groups = C. Parameters: {@code depthwise_kernel} [C·m, 1, KH, KW] (Keras default glorot_uniform,
 * optional l2 regulariser) and, unless {@link #useBias(boolean) useBias(false)}, {@code bias} [C·m] initialised to
 * zeros: C·m·KH·KW + C·m values, as Keras. Padding and strides follow {@link Conv2D}.
 *
 * <p>Keras stores the kernel as (KH, KW, C, m) and derives its initializer fans from that (fanIn = KH·KW·C, fanOut
 * = KH·KW·m); ours are those of the [C·m, 1, KH, KW] layout (fanIn = KH·KW, fanOut = C·m·KH·KW), so the initial
 * scale differs from Keras's while the parameter count and the computation are the same.
 */
public final class DepthwiseConv2D extends Layer {
    private final int kernelH, kernelW;
    private int strideH = 1, strideW = 1, dilationH = 1, dilationW = 1, depthMultiplier = 1;
    private Padding padding = Padding.VALID;
    private boolean useBias = true;
    private Initializer kernelInit = Initializer.GLOROT_UNIFORM;
    private float l2;
    private ActivationOp.Kind activation;

    /** A square {@code kernel x kernel} depthwise convolution; Keras defaults: stride 1, valid, multiplier 1, bias. */
    public DepthwiseConv2D(String name, int kernel) { this(name, kernel, kernel); }

    public DepthwiseConv2D(String name, int kernelH, int kernelW) {
        super(name);
        this.kernelH = LayerArgs.positive(this, "kernel height", kernelH);
        this.kernelW = LayerArgs.positive(this, "kernel width", kernelW);
    }

    /** An unnamed layer; the model names it from its type and position. */
    public DepthwiseConv2D(int kernel) { this(null, kernel, kernel); }

    public DepthwiseConv2D strides(int s) { return strides(s, s); }

    public DepthwiseConv2D strides(int sh, int sw) {
        LayerArgs.requireUnapplied(this, "strides");
        strideH = LayerArgs.positive(this, "stride", sh);
        strideW = LayerArgs.positive(this, "stride", sw);
        return this;
    }

    public DepthwiseConv2D dilation(int d) { return dilation(d, d); }

    public DepthwiseConv2D dilation(int dh, int dw) {
        LayerArgs.requireUnapplied(this, "dilation");
        dilationH = LayerArgs.positive(this, "dilation", dh);
        dilationW = LayerArgs.positive(this, "dilation", dw);
        return this;
    }

    public DepthwiseConv2D padding(Padding p) {
        LayerArgs.requireUnapplied(this, "padding");
        padding = p;
        return this;
    }

    /** Keras {@code depth_multiplier}: output channels per input channel. */
    public DepthwiseConv2D depthMultiplier(int m) {
        LayerArgs.requireUnapplied(this, "depth_multiplier");
        depthMultiplier = LayerArgs.positive(this, "depth_multiplier", m);
        return this;
    }

    public DepthwiseConv2D useBias(boolean b) {
        LayerArgs.requireUnapplied(this, "use_bias");
        useBias = b;
        return this;
    }

    /** Keras {@code depthwise_initializer}. */
    public DepthwiseConv2D kernelInitializer(Initializer init) {
        LayerArgs.requireUnapplied(this, "depthwise_initializer");
        kernelInit = init;
        return this;
    }

    /** Keras {@code depthwise_regularizer=l2(lambda)}: adds lambda·Σkernel² to the loss. */
    public DepthwiseConv2D kernelRegularizerL2(float lambda) {
        LayerArgs.requireUnapplied(this, "depthwise_regularizer");
        l2 = LayerArgs.l2(this, lambda);
        return this;
    }

    /** Fused activation applied to the convolution output: "relu", "sigmoid" or "tanh". */
    public DepthwiseConv2D activation(String name) {
        LayerArgs.requireUnapplied(this, "activation");
        activation = LayerArgs.activation(this, name);
        return this;
    }

    @Override public String type() { return "DepthwiseConv2D"; }

    public int depthMultiplier() { return depthMultiplier; }

    public boolean useBias() { return useBias; }

    /** The fused activation's Keras name ("relu", "relu6", ...), or null when there is none. */
    public String fusedActivation() { return activation == null ? null : activation.lower(); }

    /** The window for an input of shape (C, H, W): explicit TF-style padding when {@link Padding#SAME}. */
    public Window2d window(Shape input) {
        if (strideH * strideW > 1 && dilationH * dilationW > 1) {
            throw new GraphException("layer " + this + ": strides " + strideH + "x" + strideW + " and dilation "
                    + dilationH + "x" + dilationW + " cannot both exceed 1 (as in Keras)");
        }
        return padding == Padding.SAME
                ? Window2d.same(input.dim(1), input.dim(2), kernelH, kernelW, strideH, strideW, dilationH, dilationW)
                : Window2d.valid(kernelH, kernelW, strideH, strideW, dilationH, dilationW);
    }

    private Shape kernelShape(Shape input) { return Shape.of(input.dim(0) * depthMultiplier, 1, kernelH, kernelW); }

    private Conv2d op(Shape input) { return new Conv2d(window(input), useBias, input.dim(0)); }

    @Override protected void checkInputs(List<Shape> inputs) { checkImageInput(inputs); }

    @Override public List<ParamSpec> params(List<Shape> inputs) {
        checkInputs(inputs);
        Shape x = inputs.get(0);
        List<ParamSpec> ps = new ArrayList<>();
        ps.add(new ParamSpec("depthwise_kernel", kernelShape(x), ParamKind.KERNEL, kernelInit, l2));
        if (useBias) ps.add(new ParamSpec("bias", Shape.of(x.dim(0) * depthMultiplier), ParamKind.BIAS, Initializer.ZEROS));
        return ps;
    }

    @Override public void lower(Lowering ctx) {
        Value x = ctx.input(0);
        Conv2d op = op(x.spec().shape().dropBatch());
        Value y = useBias ? ctx.emit(op, x, ctx.param("depthwise_kernel"), ctx.param("bias")).get(0)
                : ctx.emit(op, x, ctx.param("depthwise_kernel")).get(0);
        if (activation != null) y = ctx.emit(new ActivationOp(activation), y).get(0);
        ctx.output(0, y);
    }
}
