package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
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
import dev.convkit.tensor.TensorSpec;
import org.bytedeco.dnnl.dnnl_memory_desc;

/**
 * f32 3x3 convolutions of stride 1 and padding 1 by Winograd's minimal filtering F(4x4, 3x3) (Lavin and Gray 2016):
 * each 4x4 output tile from a 6x6 input tile with 36 products per channel pair instead of 144. All three directions
 * are oneDNN matmuls: the 36 channel products, and the transforms, which are products with the constant matrices of
 * {@link Winograd43}. With T = N·(H/4)·(W/4) tiles and 36 transform positions ξν:
 * <pre>
 *   xp [N, H+2, W+2, C]  the source in channels last with a zero border (one reorder, four border fills)
 *   D  [36, T, C]        D[ab, (n, ty, tx), c] = xp[n, 4ty + a, 4tx + b, c]: 4 strided copies
 *   V  [36, T·C]         = BB · D                                   input transform
 *   U  [36, O·C]         = GG · W [9, O·C]                          weight transform, W's OIHW bytes read by tap
 *   M  [36][T, O]        = V[ξν] · U[ξν]ᵀ  (+ bias in ξν = (1,1), whose column of AA is all ones)
 *   Y  [16, T·O]         = AA · M;  y[n, o, 4ty + p, 4tx + q] = Y[pq, (n, ty, tx), o]: one strided copy
 * </pre>
 * The data gradient is the same computation on dy with the weights flipped and transposed (GG with its taps
 * reversed, U read as [36][O, C]). The weight gradient is the forward's transpose: dY [16, T·O] gathered from dy,
 * dM = AAᵀ · dY, dUᵀ[ξν] = dM[ξν]ᵀ · V[ξν] [O, C], dW [O·C, 9] = dUᵀ · GG (the canonical OIHW bytes); the bias
 * gradient is dyᵀ·1. Temporaries are reused: M overwrites D, Y overwrites V.
 *
 * <p>Why: the direct convolutions of VGG16-CIFAR100 run at about this machine's f32 peak (bench/RESULTS.md), so
 * only fewer multiplications make them faster; the 36 products do 4x fewer, at a similar rate. Its f32 training
 * step went from 490 to 385 ms. Numerics: the transforms' coefficients (up to 25 and 64, down to 1/576) make the
 * error larger than a direct sum's: 1.4 to 4.9·10⁻⁵ of the outputs' scale against about 10⁻⁶ (DnnlConvWinogradTest),
 * far below bf16's rounding, yet too much to add to it: bf16 stays on the direct and matmul forms.
 * {@code -Dconvkit.dnnl.winograd=false} keeps every f32 convolution direct.
 */
final class DnnlConvWinograd {
    private DnnlConvWinograd() {}

    /** Whether this form is on ({@code -Dconvkit.dnnl.winograd=false} keeps every convolution direct). */
    static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("convkit.dnnl.winograd", "true"));

    /**
     * Fewest channel products per transformed channel, C·O / (C + O), for which the form is used: the matmul's saving
     * grows with C·O, the transforms' memory traffic with C + O. VGG16-CIFAR100:64 fp32 step (StepRunner medians):
     * direct 490 ms; this form on layers with at least 128 channels in and out (ratio ≥ 64) 385 ms, also on the
     * 64 → 128 layer (42.7) 377 ms, also on the 64 → 64 layer at 32x32 (32) 410 ms; ResNet20v1:128's 64 → 64 stage
     * at 8x8 is no faster by this form (159-162 against 159 ms). Every image size from 4x4 gains (VGG16 with 8x8 and
     * up only: 439 ms).
     */
    static final long MIN_PRODUCTS_PER_TRANSFORMED = 40;

    /** Largest sum of temporaries (f32 bytes); larger batches keep the convolution primitive. */
    static final long MAX_TEMPORARY_BYTES = 256L << 20;

    static boolean takes(DnnlKernelBuilder b, Conv2d op) {
        return op.groups() == 1 && b.type(0) == DType.F32 && b.outType(0) == DType.F32
                && b.inputs.get(1).layout() == Layout.CANONICAL
                && fits(op.window(), DnnlDescs.dims(b.inputs.get(0)), DnnlDescs.dims(b.outputs.get(0)));
    }

    static boolean takes(DnnlKernelBuilder b, Conv2dBwdData op) {
        return op.groups() == 1 && b.type(0) == DType.F32 && b.outType(0) == DType.F32
                && b.inputs.get(1).layout() == Layout.CANONICAL
                && fits(op.window(), DnnlDescs.dims(b.outputs.get(0)), DnnlDescs.dims(b.inputs.get(0)));
    }

    static boolean takes(DnnlKernelBuilder b, Conv2dBwdFilter op) {
        return op.groups() == 1 && b.type(0) == DType.F32 && b.type(1) == DType.F32
                && b.outputs.get(0).layout() == Layout.CANONICAL
                && fits(op.window(), DnnlDescs.dims(b.inputs.get(0)), DnnlDescs.dims(b.inputs.get(1)));
    }

    /** A 3x3, stride 1, padding 1 window on an image of 4k x 4k pixels, wide channels, within the temporaries' cap. */
    private static boolean fits(Window2d g, long[] x, long[] y) {
        boolean window = g.kernelH() == 3 && g.kernelW() == 3 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1
                && g.padTop() == 1 && g.padBottom() == 1 && g.padLeft() == 1 && g.padRight() == 1;
        return ENABLED && window && x[2] % 4 == 0 && x[3] % 4 == 0 && x[2] == y[2] && x[3] == y[3]
                && channelsPay(x[1], y[1]) && temporaryBytes(x, y[1]) <= MAX_TEMPORARY_BYTES;
    }

    /** Whether C input and O output channels make the form pay ({@link #MIN_PRODUCTS_PER_TRANSFORMED}). */
    private static boolean channelsPay(long c, long o) { return c * o >= MIN_PRODUCTS_PER_TRANSFORMED * (c + o); }

    /** Temporaries of the largest direction for source x [N, C, H, W] and O output channels. */
    static long temporaryBytes(long[] x, long o) {
        long n = x[0], c = x[1], h = x[2], w = x[3], tiles = n * (h / 4) * (w / 4), wide = Math.max(c, o);
        long padded = n * (h + 2) * (w + 2) * wide, image = n * h * w * wide;
        return Float.BYTES * (padded + 3 * 36 * tiles * wide + 2 * 36 * c * o + image);
    }

    /** src [N, C, H, W], weights [O, C, 3, 3], bias [O]? → dst [N, O, H, W]. */
    static void forward(DnnlKernelBuilder b, Conv2d op) {
        long[] x = DnnlDescs.dims(b.inputs.get(0));
        long o = DnnlDescs.dims(b.outputs.get(0))[1];
        Tiles t = new Tiles(x[0], x[2], x[3]);
        Mem u = weightTransform(b, Winograd43.GG, o, x[1]);
        dnnl_memory_desc uByTap = b.strided(DType.F32, new long[] {36, x[1], o}, new long[] {o * x[1], 1, x[1]});
        convolve(b, t, b.src(0), x[1], b.view(u, 0, uByTap), o, op.bias());
    }

    /** diffDst [N, O, H, W], weights [O, C, 3, 3] → diffSrc [N, C, H, W]: the forward on dy with flipped weights. */
    static void backwardData(DnnlKernelBuilder b, Conv2dBwdData op) {
        long[] dy = DnnlDescs.dims(b.inputs.get(0));
        long c = DnnlDescs.dims(b.outputs.get(0))[1], o = dy[1];
        Tiles t = new Tiles(dy[0], dy[2], dy[3]);
        Mem u = weightTransform(b, Winograd43.GG_FLIPPED, o, c);
        convolve(b, t, b.src(0), o, b.view(u, 0, b.plain(36, o, c)), c, false);
    }

    /** src [N, C, H, W], diffDst [N, O, H, W] → diffWeights [O, C, 3, 3], diffBias [O]?. */
    static void backwardFilter(DnnlKernelBuilder b, Conv2dBwdFilter op) {
        long[] x = DnnlDescs.dims(b.inputs.get(0)), dyDims = DnnlDescs.dims(b.inputs.get(1));
        long c = x[1], o = dyDims[1];
        Tiles t = new Tiles(x[0], x[2], x[3]);
        Mem first = b.temp(b.plain(36 * t.count * Math.max(c, o))), second = b.temp(b.plain(36 * t.count * c));
        Mem v = inputTransform(b, t, b.src(0), c, first, second);
        Mem gathered = b.view(first, 0, b.plain(16, t.count * o));   // D is dead once V is made
        TileViews views = t.views(b, b.inputs.get(1), o);
        if (views != null) {
            b.reorder(b.src(1, views.tensor()), b.view(gathered, 0, views.dense()));
        } else {
            Mem dy = b.srcAs(1, b.tagged(DType.F32, dyDims, dnnl_nhwc));
            b.reorder(b.view(dy, 0, t.inImage(b, o)), b.view(gathered, 0, t.byPosition(b, o)));
        }
        Mem dm = b.temp(b.plain(36, t.count * o));
        matmul(b, "winograd AAt·dY", b.constant(b.plain(36, 16), Winograd43.AA_TRANSPOSED), gathered, dm);
        Mem dut = b.temp(b.plain(36, o, c));
        matmul(b, "winograd dMt·V", b.view(dm, 0, b.strided(DType.F32, new long[] {36, o, t.count}, new long[] {t.count * o, 1, o})),
                b.view(v, 0, b.plain(36, t.count, c)), dut);
        matmul(b, "winograd dUt·GG", b.view(dut, 0, b.strided(DType.F32, new long[] {o * c, 36}, new long[] {1, o * c})),
                b.constant(b.plain(36, 9), Winograd43.GG), b.dst(0, b.plain(o * c, 9)));
        if (op.bias()) {   // every pixel of dy is in gathered once: db = gatheredᵀ · 1
            long positions = 16 * t.count;
            Mem ones = DnnlElementwise.ones(b, DType.F32, positions);
            dnnl_memory_desc dyT = b.strided(DType.F32, new long[] {o, positions}, new long[] {1, o});
            matmul(b, "winograd dyT·1", b.view(gathered, 0, dyT), b.view(ones, 0, b.plain(positions, 1)), b.dst(1, b.plain(o, 1)));
        }
    }

    /** Tiling of an [N, ·, H, W] image into 4x4 tiles: {@code count} = N·(H/4)·(W/4). */
    private record Tiles(long n, long h, long w, long rows, long cols, long count) {
        Tiles(long n, long h, long w) { this(n, h, w, h / 4, w / 4, n * (h / 4) * (w / 4)); }

        /** [4, 4, N, H/4, W/4, K] view of a channels-last [N, H, W, K] image: pixel (p, q) of every tile. */
        dnnl_memory_desc inImage(DnnlKernelBuilder b, long k) {
            return b.strided(DType.F32, new long[] {4, 4, n, rows, cols, k}, new long[] {w * k, k, h * w * k, 4 * w * k, 4 * k, 1});
        }

        /**
         * Pixel (p, q) of every tile of a [N, K, H, W] tensor in its own layout ({@code spec}'s), and the matching
         * view of a dense [16, T, K]: 6-D [4, 4, N, H/4, W/4, K], or 7-D with K split into channel blocks. Null for
         * channel blocks that K does not fill (the block padding is not part of the dense side).
         */
        TileViews views(DnnlKernelBuilder b, TensorSpec spec, long k) {
            long[] dims = {4, 4, n, rows, cols, k};
            if (spec.layout() == Layout.CANONICAL) {
                return new TileViews(b.strided(DType.F32, dims, new long[] {w, 1, k * h * w, 4 * w, 4, h * w}), byPosition(b, k));
            }
            DnnlBlockedFormat f = b.backend().blocked(DType.F32);
            if (f == null) return null;
            if (f.channelsLast()) return new TileViews(inImage(b, k), byPosition(b, k));
            long bs = f.block();
            if (k % bs != 0) return null;
            long[] blocked = {4, 4, n, rows, cols, k / bs, bs};
            return new TileViews(
                    b.strided(DType.F32, blocked, new long[] {w * bs, bs, k * h * w, 4 * w * bs, 4 * bs, h * w * bs, 1}),
                    b.strided(DType.F32, blocked, new long[] {4 * count * k, count * k, rows * cols * k, cols * k, k, bs, 1}));
        }

        /** The same [4, 4, N, H/4, W/4, K] as [16, T, K] row-major: one dense slice per tile position. */
        dnnl_memory_desc byPosition(DnnlKernelBuilder b, long k) {
            return b.strided(DType.F32, new long[] {4, 4, n, rows, cols, k},
                    new long[] {4 * count * k, count * k, rows * cols * k, cols * k, k, 1});
        }
    }

    /** A tensor's tile-pixel view and the dense [16, T, K] view it copies to or from ({@link Tiles#views}). */
    private record TileViews(dnnl_memory_desc tensor, dnnl_memory_desc dense) {}

    /** U [36, O·C] = taps · W, W's OIHW bytes read as [9, O·C]; rows ξν, columns (o, c). */
    private static Mem weightTransform(DnnlKernelBuilder b, float[] taps, long o, long c) {
        Mem u = b.temp(b.plain(36, o * c));
        Mem byTap = b.src(1, b.strided(DType.F32, new long[] {9, o * c}, new long[] {1, 9}));
        matmul(b, "winograd GG·W", b.constant(b.plain(36, 9), taps), byTap, u);
        return u;
    }

    /**
     * out [N, K, H, W] = the convolution of src [N, J, H, W] (any layout) with transformed weights {@code u}
     * [36][J, K], plus input 2 as bias when {@code bias}.
     */
    private static void convolve(DnnlKernelBuilder b, Tiles t, Mem src, long j, Mem u, long k, boolean bias) {
        Mem first = b.temp(b.plain(36 * t.count * Math.max(j, k))), second = b.temp(b.plain(36 * t.count * Math.max(j, k)));
        Mem v = inputTransform(b, t, src, j, first, second);
        Mem m = b.view(first, 0, b.plain(36, t.count, k));   // D is dead once V is made
        matmul(b, "winograd V·U", b.view(v, 0, b.plain(36, t.count, j)), u, m);
        if (bias) {
            b.accumulate(b.src(2, b.strided(DType.F32, new long[] {t.count, k}, new long[] {0, 1})),
                    b.view(m, Winograd43.ALL_ONES_POSITION * t.count * k * Float.BYTES, b.plain(t.count, k)));
        }
        Mem y = b.view(second, 0, b.plain(16, t.count * k));   // V is dead once M is made
        matmul(b, "winograd AA·M", b.constant(b.plain(16, 36), Winograd43.AA), b.view(m, 0, b.plain(36, t.count * k)), y);
        TileViews views = t.views(b, b.outputs.get(0), k);
        if (views != null) {
            b.reorder(b.view(y, 0, views.dense()), b.dst(0, views.tensor()));
        } else {
            Mem image = b.temp(b.tagged(DType.F32, new long[] {t.n, k, t.h, t.w}, dnnl_nhwc));
            b.reorder(b.view(y, 0, t.byPosition(b, k)), b.view(image, 0, t.inImage(b, k)));
            b.reorder(image, b.dst(0));
        }
    }

    /**
     * V [36, T·J] = BB · D of src [N, J, H, W] (any layout), D gathered in {@code d} and V written to {@code v}
     * (temporaries of at least 36·T·J floats).
     */
    private static Mem inputTransform(DnnlKernelBuilder b, Tiles t, Mem src, long j, Mem d, Mem v) {
        long row = (t.w + 2) * j, image = (t.h + 2) * row;
        Mem xp = b.temp(b.plain(t.n * image));
        long[] strides = {image, 1, row, j};   // [N, J, H+2, W+2] in channels last
        zero(b, xp, 0, new long[] {t.n, j, 1, t.w + 2}, strides);
        zero(b, xp, (t.h + 1) * row, new long[] {t.n, j, 1, t.w + 2}, strides);
        zero(b, xp, row, new long[] {t.n, j, t.h, 1}, strides);
        zero(b, xp, row + (t.w + 1) * j, new long[] {t.n, j, t.h, 1}, strides);
        b.reorder(src, b.view(xp, (row + j) * Float.BYTES, b.strided(DType.F32, new long[] {t.n, j, t.h, t.w}, strides)));
        // D[ab] for a, b in 0..5 as four copies: within a group of at most 4 offsets, tiles (4 apart) do not overlap
        for (int a0 = 0; a0 < 6; a0 += 4) {
            for (int b0 = 0; b0 < 6; b0 += 4) {
                long[] dims = {Math.min(4, 6 - a0), Math.min(4, 6 - b0), t.n, t.rows, t.cols, j};
                Mem from = b.view(xp, (a0 * row + b0 * j) * Float.BYTES,
                        b.strided(DType.F32, dims, new long[] {row, j, image, 4 * row, 4 * j, 1}));
                Mem to = b.view(d, (a0 * 6L + b0) * t.count * j * Float.BYTES,
                        b.strided(DType.F32, dims, new long[] {6 * t.count * j, t.count * j, t.rows * t.cols * j, t.cols * j, j, 1}));
                b.reorder(from, to);
            }
        }
        Mem out = b.view(v, 0, b.plain(36, t.count * j));
        matmul(b, "winograd BB·D", b.constant(b.plain(36, 36), Winograd43.BB), b.view(d, 0, b.plain(36, t.count * j)), out);
        return out;
    }

    /** Zeros into the window {@code dims} with {@code strides} at float offset {@code at} of {@code m}. */
    private static void zero(DnnlKernelBuilder b, Mem m, long at, long[] dims, long[] strides) {
        b.reorder(b.zeros(b.strided(DType.F32, dims, new long[] {0, 1, 0, 0})),
                b.view(m, at * Float.BYTES, b.strided(DType.F32, dims, strides)));
    }

    private static void matmul(DnnlKernelBuilder b, String what, Mem src, Mem weights, Mem dst) {
        b.exec(what, DnnlMatmul.pd(b, src.desc(), weights.desc(), null, dst.desc()),
                arg(DNNL_ARG_SRC, src), arg(DNNL_ARG_WEIGHTS, weights), arg(DNNL_ARG_DST, dst));
    }
}
