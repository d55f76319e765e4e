package dev.convkit.backend.cuda;

import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;

/**
 * How a {@link Window2d} convolution maps onto cuDNN's legacy descriptors, which take one symmetric pad per axis.
 * We give cuDNN the smaller pad of each axis ({@link #padH}, {@link #padW}) and stage the input into scratch with
 * the remainder added explicitly on the larger side (our pad2d kernel), e.g. TF "same" with stride 2 on an even input
 * (pads 0 before, 1 after) becomes cuDNN pad 0 on an input staged with one extra zero row and column at the end.
 * Cropping instead would be wrong: a shifted window grid samples different positions when the stride exceeds 1.
 * The backward-data kernel computes the gradient of the staged input and crops it; backward-filter stages src.
 * Symmetric windows stage nothing. Grouped convolutions (weights [O, C/groups, KH, KW]) set cuDNN's group count
 * on the convolution descriptor.
 */
record ConvGeometry(int n, int c, int h, int w, int o, int kh, int kw, int outH, int outW,
                    int padH, int padW, int extraTop, int extraBottom, int extraLeft, int extraRight, Window2d window,
                    int groups) {

    /** src [N, C, H, W], weights [O, C/groups, KH, KW]. */
    static ConvGeometry of(Window2d win, Shape src, Shape weights, int groups) {
        int padH = Math.min(win.padTop(), win.padBottom()), padW = Math.min(win.padLeft(), win.padRight());
        return new ConvGeometry(src.dim(0), src.dim(1), src.dim(2), src.dim(3), weights.dim(0), weights.dim(2),
                weights.dim(3), win.outH(src.dim(2)), win.outW(src.dim(3)), padH, padW, win.padTop() - padH,
                win.padBottom() - padH, win.padLeft() - padW, win.padRight() - padW, win, groups);
    }

    /** Whether the input must be staged with explicit asymmetric padding. */
    boolean staged() { return extraTop + extraBottom + extraLeft + extraRight > 0; }

    /** Height of the input cuDNN sees (staged or not). */
    int stagedH() { return h + extraTop + extraBottom; }

    int stagedW() { return w + extraLeft + extraRight; }

    /** Bytes of the staged input, 0 when not staged. */
    long stagedBytes() { return staged() ? 4L * n * c * stagedH() * stagedW() : 0; }

    long srcBytes() { return 4L * n * c * h * w; }

    /** In-channels of one group: the weights' dim 1. */
    int inPerGroup() { return c / groups; }

    long weightBytes() { return 4L * o * inPerGroup() * kh * kw; }

    long dstBytes() { return 4L * n * o * outH * outW; }

    /** Cache key of the measured algorithms: every parameter that changes cuDNN's choice. */
    String key(String direction) {
        return direction + " n" + n + " c" + c + " " + stagedH() + "x" + stagedW() + " o" + o + " k" + kh + "x" + kw
                + " pad" + padH + "," + padW + " s" + window.strideH() + "," + window.strideW() + " d"
                + window.dilationH() + "," + window.dilationW() + (groups > 1 ? " g" + groups : "");
    }
}
