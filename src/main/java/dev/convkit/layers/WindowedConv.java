package dev.convkit.layers;

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
 * Common part of {@link Conv2D} and {@link DepthwiseConv2D}: a (possibly grouped) convolution (C, H, W) →
 * (OC, OH, OW) with a KH x KW kernel, strides, dilation, valid or TensorFlow-same padding computed from the input H
 * and W, an optional bias [OC] initialised to zeros, a kernel initializer (Keras default glorot_uniform) with an
 * optional l2 regulariser, and an optional fused activation. A subclass gives the kernel's shape, OC and the group
 * count for an input shape; its parameters are {@code <kernelParam>} then, with a bias, {@code bias}.
 *
 * @param <T> the concrete layer, so the fluent setters keep its type
 */
abstract class WindowedConv<T extends WindowedConv<T>> extends Layer {
    private final String kernelParam, kerasPrefix;
    private final WindowArgs window;
    private boolean useBias = true;
    private Initializer kernelInit = Initializer.GLOROT_UNIFORM;
    private float l2;
    private ActivationOp.Kind activation;

    /**
     * The kernel sizes are checked by {@link #checkKernel()}, which each subclass constructor calls after its own
     * arguments, so that the first bad argument in constructor order is the one reported.
     *
     * @param kernelParam the kernel's parameter name ("kernel", "depthwise_kernel")
     * @param kerasPrefix the Keras argument prefix in setter messages ("kernel" → "kernel_initializer")
     */
    WindowedConv(String name, String kernelParam, String kerasPrefix, int kernelH, int kernelW) {
        super(name);
        this.kernelParam = kernelParam;
        this.kerasPrefix = kerasPrefix;
        this.window = new WindowArgs(this, kernelH, kernelW, 1, 1);
    }

    final void checkKernel() {
        LayerArgs.positive(this, "kernel height", window.kernelH());
        LayerArgs.positive(this, "kernel width", window.kernelW());
    }

    abstract T self();

    final int kernelH() { return window.kernelH(); }

    final int kernelW() { return window.kernelW(); }

    /** The kernel's shape for an input (C, H, W). */
    abstract Shape kernelShape(Shape input);

    /** Output channels OC for an input (C, H, W): the bias length. */
    abstract int outChannels(Shape input);

    /** The group count of the convolution for an input (C, H, W). */
    abstract int groupsFor(Shape input);

    public T strides(int s) { return strides(s, s); }

    public T strides(int sh, int sw) {
        window.strides(sh, sw);
        return self();
    }

    public T dilation(int d) { return dilation(d, d); }

    public T dilation(int dh, int dw) {
        window.dilation(dh, dw);
        return self();
    }

    public T padding(Padding p) {
        window.padding(p);
        return self();
    }

    public T useBias(boolean b) {
        LayerArgs.requireUnapplied(this, "use_bias");
        useBias = b;
        return self();
    }

    /** Keras {@code kernel_initializer} ({@code depthwise_initializer} for {@link DepthwiseConv2D}). */
    public T kernelInitializer(Initializer init) {
        LayerArgs.requireUnapplied(this, kerasPrefix + "_initializer");
        kernelInit = init;
        return self();
    }

    /**
     * Keras {@code kernel_regularizer=l2(lambda)} ({@code depthwise_regularizer} for {@link DepthwiseConv2D}): adds
     * lambda·Σkernel² to the loss.
     */
    public T kernelRegularizerL2(float lambda) {
        LayerArgs.requireUnapplied(this, kerasPrefix + "_regularizer");
        l2 = LayerArgs.l2(this, lambda);
        return self();
    }

    /** Fused activation applied to the convolution output, by Keras name: "relu", "relu6", "sigmoid", "tanh". */
    public T activation(String name) {
        LayerArgs.requireUnapplied(this, "activation");
        activation = LayerArgs.activation(this, name);
        return self();
    }

    public boolean useBias() { return useBias; }

    /** The fused activation's Keras name ("relu", "relu6", ...), or null when there is none. */
    public String fusedActivation() { return activation == null ? null : activation.lower(); }

    /** The window for an input of shape (C, H, W): explicit TF-style padding when {@link Padding#SAME}. */
    public Window2d window(Shape input) { return window.window(input); }

    @Override protected void checkInputs(List<Shape> inputs) { checkImageInput(inputs); }

    @Override public final List<ParamSpec> params(List<Shape> inputs) {
        checkInputs(inputs);
        Shape x = inputs.get(0);
        List<ParamSpec> ps = new ArrayList<>();
        ps.add(new ParamSpec(kernelParam, kernelShape(x), ParamKind.KERNEL, kernelInit, l2));
        if (useBias) ps.add(new ParamSpec("bias", Shape.of(outChannels(x)), ParamKind.BIAS, Initializer.ZEROS));
        return ps;
    }

    /** conv(x, kernel[, bias]) → y, then the fused activation when there is one. */
    @Override public final void lower(Lowering ctx) {
        Value x = ctx.input(0);
        Shape in = x.spec().shape().dropBatch();
        Conv2d op = new Conv2d(window(in), useBias, groupsFor(in));
        Value y = useBias ? ctx.emit(op, x, ctx.param(kernelParam), ctx.param("bias")).get(0)
                : ctx.emit(op, x, ctx.param(kernelParam)).get(0);
        if (activation != null) y = ctx.emit(new ActivationOp(activation), y).get(0);
        ctx.output(0, y);
    }
}
