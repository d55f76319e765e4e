package dev.convkit.layers;

import dev.convkit.tensor.Shape;

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
public final class DepthwiseConv2D extends WindowedConv<DepthwiseConv2D> {
    private int depthMultiplier = 1;

    /** A square {@code kernel x kernel} depthwise convolution; Keras defaults: stride 1, valid, multiplier 1, bias. */
    public DepthwiseConv2D(String name, int kernel) { this(name, kernel, kernel); }

    public DepthwiseConv2D(String name, int kernelH, int kernelW) {
        super(name, "depthwise_kernel", "depthwise", kernelH, kernelW);
        checkKernel();
    }

    /** An unnamed layer; the model names it from its type and position. */
    public DepthwiseConv2D(int kernel) { this(null, kernel, kernel); }

    @Override DepthwiseConv2D self() { return this; }

    /** Keras {@code depth_multiplier}: output channels per input channel. */
    public DepthwiseConv2D depthMultiplier(int m) {
        LayerArgs.requireUnapplied(this, "depth_multiplier");
        depthMultiplier = LayerArgs.positive(this, "depth_multiplier", m);
        return this;
    }

    @Override public String type() { return "DepthwiseConv2D"; }

    public int depthMultiplier() { return depthMultiplier; }

    @Override Shape kernelShape(Shape input) { return Shape.of(input.dim(0) * depthMultiplier, 1, kernelH(), kernelW()); }

    @Override int outChannels(Shape input) { return input.dim(0) * depthMultiplier; }

    @Override int groupsFor(Shape input) { return input.dim(0); }
}
