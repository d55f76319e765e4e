package dev.convkit.backend.dnnl;

import dev.convkit.ops.Window2d;

/** A {@link Window2d} as the int64 arrays oneDNN's convolution and pooling descriptors take. */
record WindowDims(long[] kernel, long[] strides, long[] dilates, long[] padL, long[] padR) {

    /** oneDNN counts dilation from 0 (0 = dense), ConvKit from 1; padding is explicit and may be asymmetric. */
    static WindowDims of(Window2d w) {
        return new WindowDims(new long[] {w.kernelH(), w.kernelW()}, new long[] {w.strideH(), w.strideW()},
                new long[] {w.dilationH() - 1, w.dilationW() - 1}, new long[] {w.padTop(), w.padLeft()},
                new long[] {w.padBottom(), w.padRight()});
    }
}
