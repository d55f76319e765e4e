package dev.convkit.ops;

/**
 * Geometry of a 2-D sliding window (convolution or pooling): kernel size, strides, explicit padding on each side
 * and dilation. Output size along one axis: {@code (in + padBefore + padAfter - ((k - 1) * dilation + 1)) / stride + 1}.
 */
public record Window2d(int kernelH, int kernelW, int strideH, int strideW,
                       int padTop, int padBottom, int padLeft, int padRight, int dilationH, int dilationW) {

    public Window2d {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1
                || padTop < 0 || padBottom < 0 || padLeft < 0 || padRight < 0) {
            throw new IllegalArgumentException("window needs kernel, stride, dilation >= 1 and padding >= 0, got kernel "
                    + kernelH + "x" + kernelW + " stride " + strideH + "x" + strideW + " padding " + padTop + "/"
                    + padBottom + "/" + padLeft + "/" + padRight + " dilation " + dilationH + "x" + dilationW);
        }
    }

    /** No padding. */
    public static Window2d valid(int kernelH, int kernelW, int strideH, int strideW, int dilationH, int dilationW) {
        return new Window2d(kernelH, kernelW, strideH, strideW, 0, 0, 0, 0, dilationH, dilationW);
    }

    /**
     * TensorFlow/Keras "same" padding for an input of inH x inW: output = ceil(in / stride) and the total padding
     * {@code max((out - 1) * stride + effectiveKernel - in, 0)} is split with the smaller half before, so an even
     * input with a 3x3 stride-2 window pads 0 before and 1 after.
     */
    public static Window2d same(int inH, int inW, int kernelH, int kernelW, int strideH, int strideW,
                                int dilationH, int dilationW) {
        valid(kernelH, kernelW, strideH, strideW, dilationH, dilationW);   // the window's own checks, before dividing by the stride
        int th = samePadTotal(inH, kernelH, strideH, dilationH);
        int tw = samePadTotal(inW, kernelW, strideW, dilationW);
        return new Window2d(kernelH, kernelW, strideH, strideW, th / 2, th - th / 2, tw / 2, tw - tw / 2,
                dilationH, dilationW);
    }

    private static int samePadTotal(int in, int k, int s, int d) {
        int out = (in + s - 1) / s;
        return Math.max((out - 1) * s + (k - 1) * d + 1 - in, 0);
    }

    public int effectiveKernelH() { return (kernelH - 1) * dilationH + 1; }

    public int effectiveKernelW() { return (kernelW - 1) * dilationW + 1; }

    /** Output height for input height {@code inH}; may be < 1 when the window does not fit (callers check). */
    public int outH(int inH) { return Math.floorDiv(inH + padTop + padBottom - effectiveKernelH(), strideH) + 1; }

    public int outW(int inW) { return Math.floorDiv(inW + padLeft + padRight - effectiveKernelW(), strideW) + 1; }

    public boolean isSymmetric() { return padTop == padBottom && padLeft == padRight; }

    @Override public String toString() {
        return "k" + kernelH + "x" + kernelW + " s" + strideH + "x" + strideW + " p" + padTop + "," + padBottom + ","
                + padLeft + "," + padRight + (dilationH * dilationW > 1 ? " d" + dilationH + "x" + dilationW : "");
    }
}
