package dev.convkit.conformance;

import static dev.convkit.conformance.ConformanceCase.forward;

import dev.convkit.ops.Conv2d;
import dev.convkit.ops.DenseOp;
import dev.convkit.ops.Window2d;
import dev.convkit.testing.Closeness.Tolerance;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Convolution and dense cases: hand-picked geometries (TF-same with asymmetric padding, stride 2, dilation 2,
 * 1x1, explicit uneven padding, batch 1, odd sizes, channel counts that are not multiples of 8; grouped convolutions
 * with 2 and 4 groups and depthwise ones with channel multiplier 1 and 2) plus a few
 * geometries drawn from a fixed seed, and one case whose tolerance tells full FP32 from TF32 ({@link #fp32Not32}).
 */
final class ConvCases {
    private ConvCases() {}

    /**
     * Tolerance of {@link #fp32Not32}: absolute only. There each output (of the forward, backward-data and
     * backward-filter convolutions alike) sums K = 576 products of uniform [−1, 1) values, so its magnitude is about
     * √K/3 = 8. TF32 keeps 10 of FP32's 23 mantissa bits: rounding both factors moves each product by ~2⁻¹²·|x·w|,
     * about 2·10⁻³ (RMS) per output at √K terms; Tf32ToleranceTest measures it on the reference with TF32-rounded
     * inputs (up to 10⁻² off, about 80% of values beyond this tolerance). FP32 arithmetic stays within a few 10⁻⁵ (the
     * cpu engine: 2.4·10⁻⁵), FFT and Winograd algorithms included. Tolerance.F32's relative 10⁻³ of |8| would let TF32
     * pass.
     */
    static final Tolerance FP32_NOT_TF32 = new Tolerance(5e-4, 0);

    static List<ConformanceCase> all() {
        List<ConformanceCase> list = new ArrayList<>(List.of(
                conv("3x3 s1 TF-same, bias, batch 1, odd 7x7", Window2d.same(7, 7, 3, 3, 1, 1, 1, 1), true, 1, 3, 7, 7, 5),
                conv("3x3 s2 TF-same on even 8x6 (pads 0/1), no bias", Window2d.same(8, 6, 3, 3, 2, 2, 1, 1), false, 2, 6, 8, 6, 10),
                conv("3x3 s2 TF-same on odd 7x9 (pads 1/1), bias", Window2d.same(7, 9, 3, 3, 2, 2, 1, 1), true, 2, 5, 7, 9, 3),
                conv("3x3 dilation 2 TF-same 9x7", Window2d.same(9, 7, 3, 3, 1, 1, 2, 2), true, 2, 4, 9, 7, 6),
                conv("3x3 s2 dilation 2 valid 11x10", Window2d.valid(3, 3, 2, 2, 2, 2), false, 1, 3, 11, 10, 4),
                conv("1x1 s2 valid, 12 to 7 channels", Window2d.valid(1, 1, 2, 2, 1, 1), false, 3, 12, 5, 5, 7),
                conv("5x3 stride 1x2 explicit pads 2/1/0/2, bias", new Window2d(5, 3, 1, 2, 2, 1, 0, 2, 1, 1), true, 2, 3, 6, 7, 2),
                conv("7x7 s2 TF-same stem on 11x11, 3 to 9 channels", Window2d.same(11, 11, 7, 7, 2, 2, 1, 1), true, 1, 3, 11, 11, 9),
                conv("3x3 s1 TF-same on 1x1 input (all but the centre tap in padding)", Window2d.same(1, 1, 3, 3, 1, 1, 1, 1), true, 3, 5, 1, 1, 4),
                grouped("groups 2, 3x3 TF-same on odd 7x5, 6 to 4 channels, bias", Window2d.same(7, 5, 3, 3, 1, 1, 1, 1), true, 2, 2, 6, 7, 5, 4),
                grouped("groups 4, 3x3 s2 TF-same on even 8x6 (pads 0/1), 8 to 12 channels", Window2d.same(8, 6, 3, 3, 2, 2, 1, 1), false, 4, 2, 8, 8, 6, 12),
                grouped("groups 2, 1x1, 4 to 6 channels, batch 3", Window2d.valid(1, 1, 1, 1, 1, 1), true, 2, 3, 4, 3, 3, 6),
                grouped("depthwise 3x3 TF-same on odd 9x7, 5 channels, multiplier 1, bias", Window2d.same(9, 7, 3, 3, 1, 1, 1, 1), true, 5, 2, 5, 9, 7, 5),
                grouped("depthwise 3x3 s2 TF-same on even 8x8 (pads 0/1), 6 channels, multiplier 2", Window2d.same(8, 8, 3, 3, 2, 2, 1, 1), false, 6, 2, 6, 8, 8, 12),
                grouped("depthwise 5x5 s2 TF-same on odd 11x9, 16 channels, multiplier 1", Window2d.same(11, 9, 5, 5, 2, 2, 1, 1), true, 16, 1, 16, 11, 9, 16),
                grouped("depthwise 3x3 valid on 6x5, 32 channels (one AVX-512 block and more), multiplier 1", Window2d.valid(3, 3, 1, 1, 1, 1), false, 32, 2, 32, 6, 5, 32),
                forward("dense with bias 10 to 7, batch 3", new DenseOp(true),
                        List.of(TensorSpec.f32(3, 10), TensorSpec.f32(10, 7), TensorSpec.f32(7))),
                forward("dense without bias 5 to 3, batch 1", new DenseOp(false),
                        List.of(TensorSpec.f32(1, 5), TensorSpec.f32(5, 3))),
                forward("dense with bias 6 to 4, batch 1 (the bias gradient sums one row)", new DenseOp(true),
                        List.of(TensorSpec.f32(1, 6), TensorSpec.f32(6, 4), TensorSpec.f32(4))),
                forward("dense 1 to 1, batch 2", new DenseOp(true),
                        List.of(TensorSpec.f32(2, 1), TensorSpec.f32(1, 1), TensorSpec.f32(1)))));
        list.add(fp32Not32());
        Random rnd = new Random(20_251_123L);
        for (int i = 1; i <= 4; i++) list.add(randomConv(i, rnd));
        return list;
    }

    /**
     * A convolution that fails on an engine rounding FP32 to TF32 (cuDNN's DEFAULT_MATH on Ampere and Hopper) in any
     * of its three directions: 3x3 TF-same, 64 to 64 channels, x [4, 64, 12, 12], so every forward and
     * backward-data output sums 64·9 = 576 products and every filter gradient 4·12·12 = 576; see FP32_NOT_TF32.
     */
    static ConformanceCase fp32Not32() {
        return conv("fp32 not tf32, 576-term reductions", Window2d.same(12, 12, 3, 3, 1, 1, 1, 1), false, 4, 64, 12, 12, 64)
                .withTolerance(FP32_NOT_TF32);
    }

    /** A conv case on src [n, c, h, w] with o output channels. */
    private static ConformanceCase conv(String what, Window2d win, boolean bias, int n, int c, int h, int w, int o) {
        List<TensorSpec> specs = new ArrayList<>(List.of(TensorSpec.f32(n, c, h, w),
                TensorSpec.f32(o, c, win.kernelH(), win.kernelW())));
        if (bias) specs.add(TensorSpec.f32(o));
        return forward("conv2d " + what + ": x" + specs.get(0).shape() + " w" + specs.get(1).shape() + " " + win,
                new Conv2d(win, bias), specs);
    }

    /** A grouped conv case on src [n, c, h, w] with o output channels and weights [o, c/groups, kh, kw]. */
    private static ConformanceCase grouped(String what, Window2d win, boolean bias, int groups, int n, int c, int h, int w,
                                           int o) {
        List<TensorSpec> specs = new ArrayList<>(List.of(TensorSpec.f32(n, c, h, w),
                TensorSpec.f32(o, c / groups, win.kernelH(), win.kernelW())));
        if (bias) specs.add(TensorSpec.f32(o));
        return forward("conv2d " + what + ": x" + specs.get(0).shape() + " w" + specs.get(1).shape() + " " + win,
                new Conv2d(win, bias, groups), specs);
    }

    /**
     * A geometry drawn from {@code rnd}: kernel 1/2/3/5 per axis, stride 1–2, small sizes and channel counts. Odd
     * indices use TF-same padding and even ones valid; indices 3 and 4 dilate by 2 (where the kernel has 2+ taps).
     */
    private static ConformanceCase randomConv(int index, Random rnd) {
        int[] kernels = {1, 2, 3, 5};
        int kh = kernels[rnd.nextInt(kernels.length)], kw = kernels[rnd.nextInt(kernels.length)];
        int s = 1 + rnd.nextInt(2), d = index >= 3 && kh > 1 && kw > 1 ? 2 : 1;
        boolean same = index % 2 == 1;
        int minH = same ? 1 : (kh - 1) * d + 1, minW = same ? 1 : (kw - 1) * d + 1;
        int h = minH + rnd.nextInt(7), w = minW + rnd.nextInt(7);
        Window2d win = same ? Window2d.same(h, w, kh, kw, s, s, d, d) : Window2d.valid(kh, kw, s, s, d, d);
        int n = 1 + rnd.nextInt(3), c = 1 + rnd.nextInt(9), o = 1 + rnd.nextInt(11);
        return conv("random #" + index + (same ? " TF-same" : " valid"), win, rnd.nextBoolean(), n, c, h, w, o);
    }
}
