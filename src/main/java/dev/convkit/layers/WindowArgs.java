package dev.convkit.layers;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Layer;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;

/**
 * The sliding window of a convolution or pooling layer: KH x KW size, strides, dilation and padding, with the
 * setters' checks (every message names the owning layer) and the window for a (C, H, W) input. The owner checks
 * the sizes in its own words ("kernel height", "pool height") before building this.
 */
final class WindowArgs {
    private final Layer owner;
    private final int kernelH, kernelW;
    private int strideH, strideW, dilationH = 1, dilationW = 1;
    private Padding padding = Padding.VALID;

    WindowArgs(Layer owner, int kernelH, int kernelW, int strideH, int strideW) {
        this.owner = owner;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.strideH = strideH;
        this.strideW = strideW;
    }

    int kernelH() { return kernelH; }

    int kernelW() { return kernelW; }

    void strides(int sh, int sw) {
        LayerArgs.requireUnapplied(owner, "strides");
        strideH = LayerArgs.positive(owner, "stride", sh);
        strideW = LayerArgs.positive(owner, "stride", sw);
    }

    void dilation(int dh, int dw) {
        LayerArgs.requireUnapplied(owner, "dilation");
        dilationH = LayerArgs.positive(owner, "dilation", dh);
        dilationW = LayerArgs.positive(owner, "dilation", dw);
    }

    void padding(Padding p) {
        LayerArgs.requireUnapplied(owner, "padding");
        padding = p;
    }

    /** The window for an input of shape (C, H, W): explicit TF-style padding when {@link Padding#SAME}. */
    Window2d window(Shape input) {
        if (input.rank() != 3) throw new GraphException("layer " + owner + ": a window needs a (C, H, W) input, got " + input);
        if (strideH * strideW > 1 && dilationH * dilationW > 1) {
            throw new GraphException("layer " + owner + ": strides " + strideH + "x" + strideW + " and dilation "
                    + dilationH + "x" + dilationW + " cannot both exceed 1 (as in Keras)");
        }
        return padding == Padding.SAME
                ? Window2d.same(input.dim(1), input.dim(2), kernelH, kernelW, strideH, strideW, dilationH, dilationW)
                : Window2d.valid(kernelH, kernelW, strideH, strideW, dilationH, dilationW);
    }
}
