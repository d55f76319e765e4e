package dev.convkit.layers;

import dev.convkit.graph.GraphException;
import dev.convkit.tensor.Shape;
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
public final class Conv2D extends WindowedConv<Conv2D> {
    private final int filters;
    private int groups = 1;

    /** A square {@code kernel x kernel} convolution; Keras defaults: stride 1, valid padding, bias, glorot_uniform. */
    public Conv2D(String name, int filters, int kernel) { this(name, filters, kernel, kernel); }

    public Conv2D(String name, int filters, int kernelH, int kernelW) {
        super(name, "kernel", "kernel", kernelH, kernelW);
        this.filters = LayerArgs.positive(this, "filters", filters);
        checkKernel();
    }

    /** An unnamed layer; the model names it from its type and position. */
    public Conv2D(int filters, int kernel) { this(null, filters, kernel, kernel); }

    @Override Conv2D self() { return this; }

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

    @Override public String type() { return "Conv2D"; }

    public int filters() { return filters; }

    public int groups() { return groups; }

    @Override Shape kernelShape(Shape input) { return Shape.of(filters, input.dim(0) / groups, kernelH(), kernelW()); }

    @Override int outChannels(Shape input) { return filters; }

    @Override int groupsFor(Shape input) { return groups; }

    @Override protected void checkInputs(List<Shape> inputs) {
        super.checkInputs(inputs);
        if (inputs.get(0).dim(0) % groups != 0) throw fail(inputs, "input channels must be a multiple of groups " + groups);
    }
}
