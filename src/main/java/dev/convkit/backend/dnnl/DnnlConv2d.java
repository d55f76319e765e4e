package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_data_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_weights_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;

import dev.convkit.backend.BackendException;
import dev.convkit.backend.dnnl.DnnlKernelBuilder.Mem;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * Convolution kernels: oneDNN convolution forward, backward data and backward weights (with the bias gradient);
 * small images as matmuls ({@link DnnlConvGemm}), and wide f32 3x3 layers by Winograd ({@link DnnlConvWinograd}).
 * Plain-NCHW convolution in oneDNN is orders of magnitude slower than on blocked layouts, so activations are
 * described to the primitive as they are: a blocked (engine-layout) input or output is given to oneDNN in that
 * format, and only what is canonical (weights, a model input) is left to oneDNN ({@code format_tag any}). When no
 * implementation takes the given formats, or only a reference one, every layout is left to oneDNN instead. Whatever
 * differs from the chosen layouts is reordered into and out of kernel temporaries in the scratch buffer.
 *
 * <p>Types: the convolution computes in the type of its activations (f32, or bf16 in mixed-precision programs, with
 * f32 accumulation inside oneDNN). Weights are f32 master weights in every program; with bf16 activations the
 * primitive is asked for bf16 weights, and the reorder into its weight layout (run in fp32 too) converts them.
 * Bias, weight and bias gradients stay f32: oneDNN's bf16 backward-weights writes f32 diff_weights directly.
 */
final class DnnlConv2d {
    private DnnlConv2d() {}

    /** src [N, C, H, W], weights [O, C/G, KH, KW], bias [O]? → dst [N, O, OH, OW]. */
    static void forward(DnnlKernelBuilder b, Conv2d op) {
        if (DnnlConvGemm.takes(b, op)) {
            DnnlConvGemm.forward(b, op);
            return;
        }
        if (DnnlConvWinograd.takes(b, op)) {
            DnnlConvWinograd.forward(b, op);
            return;
        }
        long[] x = DnnlDescs.dims(b.inputs.get(0)), w = weightDims(b.inputs.get(1), op.groups());
        long[] y = DnnlDescs.dims(b.outputs.get(0));
        Types t = new Types(b.type(0), b.outType(0));
        dnnl_primitive_desc pd = forwardPd(b, op.window(), x, w, y, op.bias(), t, inputOrAny(b, 0), outputOrAny(b, 0));
        Mem src = b.srcAs(0, b.query(pd, dnnl_query_src_md, 0));
        Mem weights = weightsIn(b, w, b.query(pd, dnnl_query_weights_md, 0));
        Mem bias = op.bias() ? b.srcAs(2, b.query(pd, dnnl_query_weights_md, 1)) : null;
        Mem dst = b.dstAs(0, b.query(pd, dnnl_query_dst_md, 0));
        if (op.bias()) {
            b.exec("convolution forward", pd, arg(DNNL_ARG_SRC, src), arg(DNNL_ARG_WEIGHTS, weights),
                    arg(DNNL_ARG_BIAS, bias), arg(DNNL_ARG_DST, dst));
        } else {
            b.exec("convolution forward", pd, arg(DNNL_ARG_SRC, src), arg(DNNL_ARG_WEIGHTS, weights),
                    arg(DNNL_ARG_DST, dst));
        }
    }

    /** diffDst [N, O, OH, OW], weights [O, C/G, KH, KW] → diffSrc [N, C, H, W]. */
    static void backwardData(DnnlKernelBuilder b, Conv2dBwdData op) {
        if (DnnlConvGemm.takes(b, op)) {
            DnnlConvGemm.backwardData(b, op);
            return;
        }
        if (DnnlConvWinograd.takes(b, op)) {
            DnnlConvWinograd.backwardData(b, op);
            return;
        }
        long[] dy = DnnlDescs.dims(b.inputs.get(0)), w = weightDims(b.inputs.get(1), op.groups());
        long[] dx = DnnlDescs.dims(b.outputs.get(0));
        Types t = new Types(b.outType(0), b.type(0));   // as the forward: src = diffSrc's type, dst = diffDst's
        dnnl_primitive_desc pd = backwardDataPd(b, op.window(), dx, w, dy, t, outputOrAny(b, 0), inputOrAny(b, 0));
        if (pd == null) pd = backwardDataPd(b, op.window(), dx, w, dy, t, null, null);
        Mem diffDst = b.srcAs(0, b.query(pd, dnnl_query_diff_dst_md, 0));
        Mem weights = weightsIn(b, w, b.query(pd, dnnl_query_weights_md, 0));
        Mem diffSrc = b.dstAs(0, b.query(pd, dnnl_query_diff_src_md, 0));
        b.exec("convolution backward data", pd, arg(DNNL_ARG_DIFF_DST, diffDst), arg(DNNL_ARG_WEIGHTS, weights),
                arg(DNNL_ARG_DIFF_SRC, diffSrc));
    }

    /** src [N, C, H, W], diffDst [N, O, OH, OW] → diffWeights [O, C/G, KH, KW], diffBias [O]?. */
    static void backwardFilter(DnnlKernelBuilder b, Conv2dBwdFilter op) {
        long[] x = DnnlDescs.dims(b.inputs.get(0)), dy = DnnlDescs.dims(b.inputs.get(1));
        if (DnnlConvGemm.takes(b, op)) {
            DnnlConvGemm.backwardFilter(b, op);
            return;
        }
        if (DnnlConvWinograd.takes(b, op)) {
            DnnlConvWinograd.backwardFilter(b, op);
            return;
        }
        long[] w = weightDims(b.outputs.get(0), op.groups());
        Types t = new Types(b.type(0), b.type(1));
        // bf16 in channel blocks: oneDNN's blocked-layout bf16 weight gradient (jit_bf16) took 470 ms per call on the MNIST
        // CNN's 5x5 → 3x3, 64-channel layer at batch 32; with the layouts left to oneDNN it picks brgemm (AMX) kernels
        // at 1-80 ms, worth the two reorders of src and diffDst. bf16 in channels last is what those kernels read.
        DnnlBlockedFormat bf16 = b.backend().blocked(DType.BF16);
        boolean leaveLayouts = t.src() == DType.BF16 && (bf16 == null || !bf16.channelsLast());
        dnnl_primitive_desc pd = leaveLayouts ? null : backwardFilterPd(b, op, x, w, dy, t, inputOrAny(b, 0), inputOrAny(b, 1));
        if (pd == null) pd = backwardFilterPd(b, op, x, w, dy, t, null, null);
        Mem src = b.srcAs(0, b.query(pd, dnnl_query_src_md, 0));
        Mem diffDst = b.srcAs(1, b.query(pd, dnnl_query_diff_dst_md, 0));
        Mem diffWeights = b.dstAs(0, weightsView(b, b.outputs.get(0), w), b.query(pd, dnnl_query_diff_weights_md, 0));
        if (op.bias()) {
            Mem diffBias = b.dstAs(1, b.query(pd, dnnl_query_diff_weights_md, 1));
            b.exec("convolution backward weights", pd, arg(DNNL_ARG_SRC, src), arg(DNNL_ARG_DIFF_DST, diffDst),
                    arg(DNNL_ARG_DIFF_WEIGHTS, diffWeights), arg(DNNL_ARG_DIFF_BIAS, diffBias));
        } else {
            b.exec("convolution backward weights", pd, arg(DNNL_ARG_SRC, src), arg(DNNL_ARG_DIFF_DST, diffDst),
                    arg(DNNL_ARG_DIFF_WEIGHTS, diffWeights));
        }
    }

    /**
     * oneDNN's dims of weights [O, C/G, KH, KW]: as they are for one group, else [G, O/G, C/G, KH, KW], whose
     * row-major layout (goihw) is the same bytes as the canonical OIHW weights.
     */
    private static long[] weightDims(TensorSpec weights, int groups) {
        long[] w = DnnlDescs.dims(weights);
        if (groups == 1) return w;
        return new long[] {groups, w[0] / groups, w[1], w[2], w[3]};
    }

    /**
     * Input 1 (weights) in the layout {@code wanted} the primitive chose, for oneDNN's weight dims {@code w}. Grouped
     * weights are read as a 5-D goihw view of their canonical bytes; weights handed over in the engine layout are
     * first reordered to canonical.
     */
    private static Mem weightsIn(DnnlKernelBuilder b, long[] w, dnnl_memory_desc wanted) {
        TensorSpec spec = b.inputs.get(1);
        if (w.length == 4) return b.srcAs(1, wanted);
        if (spec.layout() == Layout.CANONICAL) return b.srcAs(1, b.plain(w), wanted);
        Mem canonical = b.srcAs(1, b.plain(DnnlDescs.dims(spec)));
        dnnl_memory_desc grouped = b.plain(w);
        Mem view = b.view(canonical, 0, grouped);
        if (DnnlKernelBuilder.same(grouped, wanted)) return view;
        Mem t = b.temp(wanted);
        b.reorder(view, t);
        return t;
    }

    /** The canonical weights' descriptor with oneDNN's dims {@code w}: grouped weights as a 5-D goihw view. */
    private static dnnl_memory_desc weightsView(DnnlKernelBuilder b, TensorSpec weights, long[] w) {
        return w.length == 4 ? b.desc(weights) : b.plain(w);
    }

    /** O of oneDNN weight dims (4-D ungrouped or 5-D grouped). */
    private static long outChannels(long[] w) { return w.length == 5 ? w[0] * w[1] : w[0]; }

    /** Input i's own descriptor when it is blocked, else null (leave the layout to oneDNN). */
    private static dnnl_memory_desc inputOrAny(DnnlKernelBuilder b, int i) {
        return b.inputs.get(i).layout() == Layout.ENGINE ? b.inputDesc(i) : null;
    }

    /** Output j's own descriptor when it is blocked, else null (leave the layout to oneDNN). */
    private static dnnl_memory_desc outputOrAny(DnnlKernelBuilder b, int j) {
        return b.outputs.get(j).layout() == Layout.ENGINE ? b.outputDesc(j) : null;
    }

    /**
     * Element types of a convolution's activations: {@code src} (also the weights' type inside the primitive) and
     * {@code dst}. Backward descriptors use the types of their forward: diffSrc as src, diffDst as dst.
     */
    private record Types(DType src, DType dst) {}

    /**
     * Forward training descriptor (also the hint of the backward descriptors) with src/dst in the given formats
     * (null: any), falling back to every layout left to oneDNN when those formats find no optimised implementation.
     */
    private static dnnl_primitive_desc forwardPd(DnnlKernelBuilder b, Window2d window, long[] x, long[] w, long[] y,
                                                 boolean bias, Types t, dnnl_memory_desc src, dnnl_memory_desc dst) {
        if (src != null || dst != null) {
            dnnl_primitive_desc pd = tryForwardPd(b, window, x, w, y, bias, t, src, dst);
            if (pd != null && b.isOptimised(pd)) return pd;
        }
        dnnl_primitive_desc pd = tryForwardPd(b, window, x, w, y, bias, t, null, null);
        if (pd == null) {
            throw new BackendException(DnnlStatus.ENGINE, b.op, b.inputs, 0, "oneDNN has no convolution forward for "
                    + t.src().lower() + " src " + java.util.Arrays.toString(x) + ", weights " + java.util.Arrays.toString(w));
        }
        return pd;
    }

    private static dnnl_primitive_desc tryForwardPd(DnnlKernelBuilder b, Window2d window, long[] x, long[] w, long[] y,
                                                    boolean bias, Types t, dnnl_memory_desc src, dnnl_memory_desc dst) {
        WindowDims g = WindowDims.of(window);
        dnnl_memory_desc biasDesc = bias ? b.plain(outChannels(w)) : null;
        dnnl_primitive_desc pd = b.newPd();
        int status = dnnl_convolution_forward_primitive_desc_create(pd, b.backend().engine(), dnnl_forward_training,
                dnnl_convolution_direct, src != null ? src : b.any(t.src(), x), b.any(t.src(), w), biasDesc,
                dst != null ? dst : b.any(t.dst(), y),
                g.strides(), g.dilates(), g.padL(), g.padR(), b.attr());
        return status == 0 ? pd : null;
    }

    /** Backward data with diffSrc/diffDst in the given formats (null: any); null when that finds nothing optimised. */
    private static dnnl_primitive_desc backwardDataPd(DnnlKernelBuilder b, Window2d window, long[] dx, long[] w,
                                                      long[] dy, Types t, dnnl_memory_desc diffSrc, dnnl_memory_desc diffDst) {
        boolean fixed = diffSrc != null || diffDst != null;
        dnnl_primitive_desc hint = fixed ? tryForwardPd(b, window, dx, w, dy, false, t, diffSrc, diffDst)
                : forwardPd(b, window, dx, w, dy, false, t, null, null);
        if (hint == null) return null;
        WindowDims g = WindowDims.of(window);
        dnnl_primitive_desc pd = b.newPd();
        int status = dnnl_convolution_backward_data_primitive_desc_create(pd, b.backend().engine(),
                dnnl_convolution_direct, diffSrc != null ? diffSrc : b.any(t.src(), dx), b.any(t.dst(), w),
                diffDst != null ? diffDst : b.any(t.dst(), dy), g.strides(), g.dilates(), g.padL(), g.padR(), hint, b.attr());
        if (status == 0 && (!fixed || b.isOptimised(pd))) return pd;
        if (!fixed) b.check(status, "dnnl_convolution_backward_data_primitive_desc_create");
        return null;
    }

    /** Backward weights with src/diffDst in the given formats (null: any); null when that finds nothing optimised. */
    private static dnnl_primitive_desc backwardFilterPd(DnnlKernelBuilder b, Conv2dBwdFilter op, long[] x, long[] w,
                                                        long[] dy, Types t, dnnl_memory_desc src, dnnl_memory_desc diffDst) {
        boolean fixed = src != null || diffDst != null;
        dnnl_primitive_desc hint = fixed ? tryForwardPd(b, op.window(), x, w, dy, op.bias(), t, src, diffDst)
                : forwardPd(b, op.window(), x, w, dy, op.bias(), t, null, null);
        if (hint == null) return null;
        WindowDims g = WindowDims.of(op.window());
        dnnl_primitive_desc pd = b.newPd();
        int status = dnnl_convolution_backward_weights_primitive_desc_create(pd, b.backend().engine(),
                dnnl_convolution_direct, src != null ? src : b.any(t.src(), x), b.any(b.outType(0), w),
                op.bias() ? b.plain(b.outType(1), outChannels(w)) : null, diffDst != null ? diffDst : b.any(t.dst(), dy),
                g.strides(), g.dilates(), g.padL(), g.padR(), hint, b.attr());
        if (status == 0 && (!fixed || b.isOptimised(pd))) return pd;
        if (!fixed) b.check(status, "dnnl_convolution_backward_weights_primitive_desc_create");
        return null;
    }
}
