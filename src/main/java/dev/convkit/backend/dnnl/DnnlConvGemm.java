package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;

import dev.convkit.backend.dnnl.DnnlKernelBuilder.Mem;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * A convolution with a small output (at most {@link #maxOutputPixels} pixels per image), forward and both gradients,
 * as one matrix product each: im2col (or col2im) around oneDNN matmul, in the activations' type t (bf16 or f32).
 * With P = N·OH·OW output positions and K = KH·KW taps:
 * <pre>
 *   col [P, C·K]      col[(n, oh, ow), (c, kh, kw)] = x[n, c, oh·sh − padT + kh·dh, ow·sw − padL + kw·dw], 0 in padding
 *   y   [P, O]        = col · Wᵀ (+ bias)   (W = the OIHW f32 weights as [O, C·KH·KW], converted to t per run)
 *   dW  [O, C·K]      = dyᵀ [O, P] · col    (f32; the columns in OIHW order, so this is the canonical gradient itself)
 *   db  [O]           = dyᵀ [O, P] · ones [P]
 *   dcol [P, C·K]     = dy · W (f32), then dx = col2im(dcol): every tap's columns added at its input pixels
 * </pre>
 * y and dy in channels last are [P, O] row-major, so y is written in place and dyᵀ is a strided view. The im2col
 * copies are K reorders of [N, C, OH', OW'] windows (one per tap, into every K-th column), into a temporary zeroed
 * first when the window reaches into padding; col2im is K accumulating reorders into an f32 image, rounded to t once.
 *
 * <p>Why: oneDNN's convolutions run far below their rate on small images. VGG16-CIFAR100 at batch 64 in bf16 on 2
 * AMX cores: the 512-channel 3x3 weight gradient took 17.9 ms per call at 4x4 and 14.1 ms at 2x2 (270 and 86
 * GFLOP/s), against 3.7 and 1.0-1.3 ms as one matmul; the step went from 282 to 196 ms with all three directions.
 */
final class DnnlConvGemm {
    private DnnlConvGemm() {}

    /**
     * Output pixels per image up to which the matmul form is used for type t, from per-layer profiles on the AMX
     * machine of bench/RESULTS.md. bf16: 4x4 and below (at 8x8 with 256 channels oneDNN's AMX convolution already
     * runs at 0.8 TFLOP/s). f32: 2x2 and below; at 4x4 with 512 channels oneDNN's AVX-512 convolution (15 ms per call,
     * 320 GFLOP/s) beats f32 matmul (26 ms), while at 2x2 the weight gradient drops from 13.0 to 5.3 ms and ResNet-50's
     * 1x1 to 2x2 stages gain throughout.
     */
    static int maxOutputPixels(DType t) { return t == DType.BF16 ? 16 : 4; }

    /**
     * Whether {@link #forward} takes this convolution: source and output of one type, canonical weights, and
     * {@link #small} geometry.
     */
    static boolean takes(DnnlKernelBuilder b, Conv2d op) {
        return op.groups() == 1 && runsIn(b.type(0)) && b.outType(0) == b.type(0)
                && b.inputs.get(1).layout() == Layout.CANONICAL
                && small(op.window(), b.type(0), DnnlDescs.dims(b.inputs.get(0)), DnnlDescs.dims(b.outputs.get(0)));
    }

    /** Whether {@link #backwardData} takes this data gradient: gradients of one type, canonical weights, {@link #small} geometry. */
    static boolean takes(DnnlKernelBuilder b, Conv2dBwdData op) {
        long[] dx = DnnlDescs.dims(b.outputs.get(0));
        return op.groups() == 1 && runsIn(b.type(0)) && b.outType(0) == b.type(0)
                && b.inputs.get(1).layout() == Layout.CANONICAL && dx[1] * Float.BYTES <= DnnlBackend.ZEROS_BYTES
                && small(op.window(), b.type(0), dx, DnnlDescs.dims(b.inputs.get(0)));
    }

    /** Whether {@link #backwardFilter} takes this weight gradient: sources of one type and {@link #small} geometry. */
    static boolean takes(DnnlKernelBuilder b, Conv2dBwdFilter op) {
        return op.groups() == 1 && runsIn(b.type(0)) && b.type(1) == b.type(0)
                && small(op.window(), b.type(0), DnnlDescs.dims(b.inputs.get(0)), DnnlDescs.dims(b.inputs.get(1)));
    }

    /**
     * Largest temporary the matmul form may take (col, or the f32 dcol of the data gradient): the convolution
     * primitives need almost none, so a large batch falls back to them rather than grow the scratch arena without
     * bound (VGG16's 4x4 layers at batch 64 take 19 MB).
     */
    static final long MAX_TEMPORARY_BYTES = 128L << 20;

    /** Activation types this form runs in: those with a {@link #maxOutputPixels} limit. */
    private static boolean runsIn(DType t) { return t == DType.BF16 || t == DType.F32; }

    /**
     * One group's geometry the matmul form serves: an output of at most {@link #maxOutputPixels} pixels, a row of
     * col within the engine's constant zeros, temporaries within {@link #MAX_TEMPORARY_BYTES} (counted as f32), and
     * windows oneDNN can describe. {@code x} [N, C, H, W], {@code y}
     * [N, O, OH, OW].
     */
    private static boolean small(Window2d g, DType t, long[] x, long[] y) {
        long row = (long) g.kernelH() * g.kernelW() * x[1], positions = y[0] * y[2] * y[3];
        return y[2] * y[3] <= maxOutputPixels(t) && row * t.bytes() <= DnnlBackend.ZEROS_BYTES
                && positions * row * Float.BYTES <= MAX_TEMPORARY_BYTES
                && windowsDescribable(g, x[2], x[3], y[2], y[3]);
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

    /** src [N, C, H, W] t, weights [O, C, KH, KW] f32, bias [O] f32? → dst [N, O, OH, OW] t = col · Wᵀ (+ bias). */
    static void forward(DnnlKernelBuilder b, Conv2d op) {
        long[] x = DnnlDescs.dims(b.inputs.get(0)), y = DnnlDescs.dims(b.outputs.get(0));
        long o = y[1], p = y[0] * y[2] * y[3], row = (long) op.window().kernelH() * op.window().kernelW() * x[1];
        DType t = b.type(0);
        Mem col = im2col(b, op.window(), t, b.srcAs(0, b.tagged(t, x, dnnl_nhwc)), x, y[2], y[3]);
        long[] rowsByO = {row, o}, transposed = {1, row};   // Wᵀ [C·KH·KW, O]: the OIHW weights read by columns
        Mem weights = DnnlMatmul.weightsAs(b, b.strided(DType.F32, rowsByO, transposed), b.strided(t, rowsByO, transposed));
        dnnl_memory_desc bias = op.bias() ? b.plain(DType.F32, 1, o) : null, out = b.plain(t, p, o);
        Mem dst = b.dstAs(0, b.tagged(t, y, dnnl_nhwc));   // right before the matmul: its reorder out follows it
        dnnl_primitive_desc pd = DnnlMatmul.pd(b, col.desc(), weights.desc(), bias, out);
        if (op.bias()) {
            b.exec("matmul col·wT", pd, arg(DNNL_ARG_SRC, col), arg(DNNL_ARG_WEIGHTS, weights),
                    arg(DNNL_ARG_BIAS, b.src(2, bias)), arg(DNNL_ARG_DST, b.view(dst, 0, out)));
        } else {
            b.exec("matmul col·wT", pd, arg(DNNL_ARG_SRC, col), arg(DNNL_ARG_WEIGHTS, weights),
                    arg(DNNL_ARG_DST, b.view(dst, 0, out)));
        }
    }

    /**
     * diffDst [N, O, OH, OW] t, weights [O, C, KH, KW] f32 → diffSrc [N, C, H, W] t: dcol = dy · W in f32, then
     * col2im: each tap's columns added into an f32 image (K accumulating reorders), converted to t once.
     */
    static void backwardData(DnnlKernelBuilder b, Conv2dBwdData op) {
        Window2d g = op.window();
        long[] dy = DnnlDescs.dims(b.inputs.get(0)), dx = DnnlDescs.dims(b.outputs.get(0));
        long n = dx[0], c = dx[1], h = dx[2], w = dx[3], o = dy[1], oh = dy[2], ow = dy[3];
        long taps = (long) g.kernelH() * g.kernelW(), p = n * oh * ow, row = taps * c;
        DType t = b.type(0);
        Mem diffDst = b.srcAs(0, b.tagged(t, dy, dnnl_nhwc));
        Mem weights = DnnlMatmul.weightsAs(b, b.plain(DType.F32, o, row), b.plain(t, o, row));
        Mem dcol = b.temp(b.plain(DType.F32, p, row));
        dnnl_memory_desc dyRows = b.plain(t, p, o);
        b.exec("matmul dy·w", DnnlMatmul.pd(b, dyRows, weights.desc(), null, dcol.desc()),
                arg(DNNL_ARG_SRC, b.view(diffDst, 0, dyRows)), arg(DNNL_ARG_WEIGHTS, weights), arg(DNNL_ARG_DST, dcol));

        Mem image = b.temp(b.tagged(DType.F32, dx, dnnl_nhwc));
        b.reorder(b.zeros(b.strided(DType.F32, new long[] {n * h * w, c}, new long[] {0, 1})),
                b.view(image, 0, b.plain(DType.F32, n * h * w, c)));
        for (int kh = 0; kh < g.kernelH(); kh++) {
            for (int kw = 0; kw < g.kernelW(); kw++) {
                Range rows = Range.of(oh, h, g.strideH(), g.padTop() - (long) kh * g.dilationH());
                Range cols = Range.of(ow, w, g.strideW(), g.padLeft() - (long) kw * g.dilationW());
                if (rows.isEmpty() || cols.isEmpty()) continue;   // this tap reaches only padding
                long ih = rows.from() * g.strideH() - g.padTop() + (long) kh * g.dilationH();
                long iw = cols.from() * g.strideW() - g.padLeft() + (long) kw * g.dilationW();
                long[] window = {n, c, rows.size(), cols.size()};
                long tap = (long) kh * g.kernelW() + kw;
                Mem from = b.view(dcol, ((rows.from() * ow + cols.from()) * row + tap) * Float.BYTES,
                        b.strided(DType.F32, window, new long[] {oh * ow * row, taps, ow * row, row}));
                Mem to = b.view(image, (ih * w + iw) * c * Float.BYTES,
                        b.strided(DType.F32, window, new long[] {h * w * c, 1, g.strideH() * w * c, g.strideW() * c}));
                b.accumulate(from, to);
            }
        }
        b.reorder(image, b.dst(0));
    }

    /** src [N, C, H, W] t, diffDst [N, O, OH, OW] t → diffWeights [O, C, KH, KW] f32, diffBias [O] f32?. */
    static void backwardFilter(DnnlKernelBuilder b, Conv2dBwdFilter op) {
        long[] x = DnnlDescs.dims(b.inputs.get(0)), dy = DnnlDescs.dims(b.inputs.get(1));
        long o = dy[1], p = dy[0] * dy[2] * dy[3], row = (long) op.window().kernelH() * op.window().kernelW() * x[1];
        DType t = b.type(0);
        Mem col = im2col(b, op.window(), t, b.srcAs(0, b.tagged(t, x, dnnl_nhwc)), x, dy[2], dy[3]);
        Mem diffDst = b.srcAs(1, b.tagged(t, dy, dnnl_nhwc));
        dnnl_memory_desc dyT = b.strided(t, new long[] {o, p}, new long[] {1, o});
        dnnl_memory_desc dw = b.plain(DType.F32, o, row);   // [O, C·KH·KW]: the canonical OIHW bytes
        b.exec("matmul dyT·col", DnnlMatmul.pd(b, dyT, col.desc(), null, dw),
                arg(DNNL_ARG_SRC, b.view(diffDst, 0, dyT)), arg(DNNL_ARG_WEIGHTS, col), arg(DNNL_ARG_DST, b.dst(0, dw)));
        if (op.bias()) {
            Mem ones = DnnlElementwise.ones(b, t, p);
            dnnl_memory_desc onesCol = b.plain(t, p, 1), db = b.plain(DType.F32, o, 1);
            b.exec("matmul dyT·1", DnnlMatmul.pd(b, dyT, onesCol, null, db), arg(DNNL_ARG_SRC, b.view(diffDst, 0, dyT)),
                    arg(DNNL_ARG_WEIGHTS, b.view(ones, 0, onesCol)), arg(DNNL_ARG_DST, b.dst(1, db)));
        }
    }

    /** col [N·OH·OW, C·KH·KW] of type t (a temporary) of {@code src} [N, C, H, W] in channels last, as in the class comment. */
    private static Mem im2col(DnnlKernelBuilder b, Window2d g, DType t, Mem src, long[] x, long oh, long ow) {
        long n = x[0], c = x[1], h = x[2], w = x[3];
        long taps = (long) g.kernelH() * g.kernelW(), p = n * oh * ow, row = taps * c;
        Mem col = b.temp(b.plain(t, p, row));
        if (reachesPadding(g, h, w, oh, ow)) b.reorder(b.zeros(b.strided(t, new long[] {p, row}, new long[] {0, 1})), col);
        for (int kh = 0; kh < g.kernelH(); kh++) {
            for (int kw = 0; kw < g.kernelW(); kw++) {
                Range rows = Range.of(oh, h, g.strideH(), g.padTop() - (long) kh * g.dilationH());
                Range cols = Range.of(ow, w, g.strideW(), g.padLeft() - (long) kw * g.dilationW());
                if (rows.isEmpty() || cols.isEmpty()) continue;   // this tap sees only padding: its columns stay zero
                long ih = rows.from() * g.strideH() - g.padTop() + (long) kh * g.dilationH();
                long iw = cols.from() * g.strideW() - g.padLeft() + (long) kw * g.dilationW();
                long[] window = {n, c, rows.size(), cols.size()};
                Mem from = b.view(src, (ih * w + iw) * c * t.bytes(),
                        b.strided(t, window, new long[] {h * w * c, 1, g.strideH() * w * c, g.strideW() * c}));
                long tap = (long) kh * g.kernelW() + kw;
                Mem to = b.view(col, ((rows.from() * ow + cols.from()) * row + tap) * t.bytes(),
                        b.strided(t, window, new long[] {oh * ow * row, taps, ow * row, row}));
                b.reorder(from, to);
            }
        }
        return col;
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
}
