package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_matmul_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;

import dev.convkit.backend.dnnl.DnnlKernelBuilder.Mem;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.DType;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * The bf16 weight gradient of a convolution with a small output (at most {@link #MAX_OUTPUT_PIXELS} pixels per
 * image) as one matrix product: im2col, then oneDNN matmul. With P = N·OH·OW output positions and K = KH·KW taps,
 * <pre>
 *   col [P, C·K]       col[(n, oh, ow), (c, kh, kw)] = x[n, c, oh·sh − padT + kh·dh, ow·sw − padL + kw·dw], 0 in padding
 *   dW  [O, C·KH·KW]   = dyᵀ [O, P] · col   (f32; the columns in OIHW order, so this is the canonical gradient itself)
 *   db  [O]            = dyᵀ [O, P] · ones [P]
 * </pre>
 * dy in channels last is [P, O] row-major, so dyᵀ is a strided view of it.
 * Why: oneDNN's convolution weight gradient runs its AMX kernels far below their rate when the image is small. On
 * VGG16-CIFAR100 at batch 64 (2 cores, AMX), the 512-channel 3x3 layers took 17.9 ms per call at 4x4 and 14.1 ms at
 * 2x2 (270 and 86 GFLOP/s) against 4.4 ms at 32x32 with 64 channels (1.1 TFLOP/s); as one matmul they take 3.7 and
 * 1.0-1.3 ms. The im2col copies are K reorders of [N, C, OH', OW'] windows (one per tap, into every K-th column),
 * into a temporary zeroed first when the window reaches into padding.
 */
final class DnnlConvGemm {
    private DnnlConvGemm() {}

    /**
     * Output pixels per image up to which the matmul form is used: 4x4 and below. At 8x8 (256 channels) oneDNN's
     * convolution already runs at 0.8 TFLOP/s on the same machine.
     */
    static final int MAX_OUTPUT_PIXELS = 16;

    /**
     * Whether {@link #backwardFilter} takes this weight gradient: bf16 sources, one group, a small output, a row of
     * col within the engine's constant zeros, and windows oneDNN can describe.
     */
    static boolean takes(DnnlKernelBuilder b, Conv2dBwdFilter op) {
        if (op.groups() != 1 || b.type(0) != DType.BF16 || b.type(1) != DType.BF16) return false;
        long[] x = DnnlDescs.dims(b.inputs.get(0)), dy = DnnlDescs.dims(b.inputs.get(1));
        long rowBytes = (long) op.window().kernelH() * op.window().kernelW() * x[1] * DType.BF16.bytes();
        return dy[2] * dy[3] <= MAX_OUTPUT_PIXELS && rowBytes <= DnnlBackend.ZEROS_BYTES
                && windowsDescribable(op.window(), x[2], x[3], dy[2], dy[3]);
    }

    /**
     * Whether oneDNN accepts every tap's strided window of the source: it takes a stride layout only when, in stride
     * order, each stride spans the dimension below it (stride·extent), which a subsampling stride can break: a
     * stride-2 window of 3 rows in a 5-row image needs 6 rows per image.
     */
    private static boolean windowsDescribable(Window2d g, long h, long w, long oh, long ow) {
        for (int kh = 0; kh < g.kernelH(); kh++) {
            if (Range.of(oh, h, g.strideH(), g.padTop() - (long) kh * g.dilationH()).size() * g.strideH() > h) return false;
        }
        for (int kw = 0; kw < g.kernelW(); kw++) {
            if (Range.of(ow, w, g.strideW(), g.padLeft() - (long) kw * g.dilationW()).size() * g.strideW() > w) return false;
        }
        return true;
    }

    /** src [N, C, H, W] bf16, diffDst [N, O, OH, OW] bf16 → diffWeights [O, C, KH, KW] f32, diffBias [O] f32?. */
    static void backwardFilter(DnnlKernelBuilder b, Conv2dBwdFilter op) {
        Window2d g = op.window();
        long[] x = DnnlDescs.dims(b.inputs.get(0)), dy = DnnlDescs.dims(b.inputs.get(1));
        long n = x[0], c = x[1], h = x[2], w = x[3], o = dy[1], oh = dy[2], ow = dy[3];
        long taps = (long) g.kernelH() * g.kernelW(), p = n * oh * ow, row = taps * c;
        DType bf16 = DType.BF16;
        Mem src = b.srcAs(0, b.tagged(bf16, x, dnnl_nhwc));
        Mem diffDst = b.srcAs(1, b.tagged(bf16, dy, dnnl_nhwc));

        Mem col = b.temp(b.plain(bf16, p, row));
        if (reachesPadding(g, h, w, oh, ow)) b.reorder(b.zeros(b.strided(bf16, new long[] {p, row}, new long[] {0, 1})), col);
        for (int kh = 0; kh < g.kernelH(); kh++) {
            for (int kw = 0; kw < g.kernelW(); kw++) {
                Range rows = Range.of(oh, h, g.strideH(), g.padTop() - (long) kh * g.dilationH());
                Range cols = Range.of(ow, w, g.strideW(), g.padLeft() - (long) kw * g.dilationW());
                if (rows.isEmpty() || cols.isEmpty()) continue;   // this tap sees only padding: its columns stay zero
                long ih = rows.from() * g.strideH() - g.padTop() + (long) kh * g.dilationH();
                long iw = cols.from() * g.strideW() - g.padLeft() + (long) kw * g.dilationW();
                long[] window = {n, c, rows.size(), cols.size()};
                Mem from = b.view(src, (ih * w + iw) * c * bf16.bytes(),
                        b.strided(bf16, window, new long[] {h * w * c, 1, g.strideH() * w * c, g.strideW() * c}));
                long tap = (long) kh * g.kernelW() + kw;
                Mem to = b.view(col, ((rows.from() * ow + cols.from()) * row + tap) * bf16.bytes(),
                        b.strided(bf16, window, new long[] {oh * ow * row, taps, ow * row, row}));
                b.reorder(from, to);
            }
        }

        dnnl_memory_desc dyT = b.strided(bf16, new long[] {o, p}, new long[] {1, o});
        dnnl_memory_desc dw = b.plain(DType.F32, o, row);   // [O, C·KH·KW]: the canonical OIHW bytes
        b.exec("matmul dyT·col", matmul(b, dyT, col.desc(), dw),
                arg(DNNL_ARG_SRC, b.view(diffDst, 0, dyT)), arg(DNNL_ARG_WEIGHTS, col), arg(DNNL_ARG_DST, b.dst(0, dw)));

        if (op.bias()) {
            Mem ones = DnnlElementwise.ones(b, bf16, p);
            dnnl_memory_desc onesCol = b.plain(bf16, p, 1), db = b.plain(DType.F32, o, 1);
            b.exec("matmul dyT·1", matmul(b, dyT, onesCol, db), arg(DNNL_ARG_SRC, b.view(diffDst, 0, dyT)),
                    arg(DNNL_ARG_WEIGHTS, b.view(ones, 0, onesCol)), arg(DNNL_ARG_DST, b.dst(1, db)));
        }
    }

    /** Whether some tap of some output position falls outside the image (then col needs zeros). */
    private static boolean reachesPadding(Window2d g, long h, long w, long oh, long ow) {
        for (int kh = 0; kh < g.kernelH(); kh++) {
            Range r = Range.of(oh, h, g.strideH(), g.padTop() - (long) kh * g.dilationH());
            if (r.size() != oh) return true;
        }
        for (int kw = 0; kw < g.kernelW(); kw++) {
            Range r = Range.of(ow, w, g.strideW(), g.padLeft() - (long) kw * g.dilationW());
            if (r.size() != ow) return true;
        }
        return false;
    }

    /**
     * Output indices [from, to) along one axis whose input index {@code o·stride − shift} lies in [0, in), where
     * {@code shift} = padding before − tap offset.
     */
    record Range(long from, long to) {
        static Range of(long out, long in, long stride, long shift) {
            long from = Math.max(0, Math.floorDiv(shift + stride - 1, stride));
            long to = Math.min(out, Math.floorDiv(in - 1 + shift, stride) + 1);
            return new Range(from, Math.max(from, to));
        }

        long size() { return to - from; }

        boolean isEmpty() { return to <= from; }
    }

    private static dnnl_primitive_desc matmul(DnnlKernelBuilder b, dnnl_memory_desc src, dnnl_memory_desc weights,
                                              dnnl_memory_desc dst) {
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_matmul_primitive_desc_create(pd, b.backend().engine(), src, weights, null, dst, b.attr()),
                "dnnl_matmul_primitive_desc_create");
        return pd;
    }
}
