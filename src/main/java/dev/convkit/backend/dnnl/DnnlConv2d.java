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

import dev.convkit.backend.dnnl.DnnlKernelBuilder.Mem;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Window2d;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * Convolution kernels: oneDNN convolution forward, backward data and backward weights (with the bias gradient).
 * The primitives choose their own layouts ({@code format_tag_any}: blocked nChw16c/OIhw16i16o on AVX-512), since
 * plain-NCHW convolution in oneDNN is orders of magnitude slower; canonical tensors are reordered into and out of
 * kernel temporaries in the scratch buffer around the convolution.
 */
final class DnnlConv2d {
    private DnnlConv2d() {}

    /** src [N, C, H, W], weights [O, C, KH, KW], bias [O]? → dst [N, O, OH, OW]. */
    static void forward(DnnlKernelBuilder b, Conv2d op) {
        long[] x = DnnlDescs.dims(b.inputs.get(0)), w = DnnlDescs.dims(b.inputs.get(1));
        long[] y = DnnlDescs.dims(b.outputs.get(0));
        dnnl_primitive_desc pd = forwardPd(b, op.window(), x, w, y, op.bias());
        Mem src = b.srcAs(0, b.query(pd, dnnl_query_src_md, 0));
        Mem weights = b.srcAs(1, b.query(pd, dnnl_query_weights_md, 0));
        Mem dst = b.dstAs(0, b.query(pd, dnnl_query_dst_md, 0));
        if (op.bias()) {
            Mem bias = b.srcAs(2, b.query(pd, dnnl_query_weights_md, 1));
            b.exec("convolution forward", pd, arg(DNNL_ARG_SRC, src), arg(DNNL_ARG_WEIGHTS, weights),
                    arg(DNNL_ARG_BIAS, bias), arg(DNNL_ARG_DST, dst));
        } else {
            b.exec("convolution forward", pd, arg(DNNL_ARG_SRC, src), arg(DNNL_ARG_WEIGHTS, weights),
                    arg(DNNL_ARG_DST, dst));
        }
    }

    /** diffDst [N, O, OH, OW], weights [O, C, KH, KW] → diffSrc [N, C, H, W]. */
    static void backwardData(DnnlKernelBuilder b, Conv2dBwdData op) {
        long[] dy = DnnlDescs.dims(b.inputs.get(0)), w = DnnlDescs.dims(b.inputs.get(1));
        long[] dx = DnnlDescs.dims(b.outputs.get(0));
        dnnl_primitive_desc hint = forwardPd(b, op.window(), dx, w, dy, false);
        WindowDims g = WindowDims.of(op.window());
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_convolution_backward_data_primitive_desc_create(pd, b.backend().engine(), dnnl_convolution_direct,
                b.any(dx), b.any(w), b.any(dy), g.strides(), g.dilates(), g.padL(), g.padR(), hint, b.attr()),
                "dnnl_convolution_backward_data_primitive_desc_create");
        Mem diffDst = b.srcAs(0, b.query(pd, dnnl_query_diff_dst_md, 0));
        Mem weights = b.srcAs(1, b.query(pd, dnnl_query_weights_md, 0));
        Mem diffSrc = b.dstAs(0, b.query(pd, dnnl_query_diff_src_md, 0));
        b.exec("convolution backward data", pd, arg(DNNL_ARG_DIFF_DST, diffDst), arg(DNNL_ARG_WEIGHTS, weights),
                arg(DNNL_ARG_DIFF_SRC, diffSrc));
    }

    /** src [N, C, H, W], diffDst [N, O, OH, OW] → diffWeights [O, C, KH, KW], diffBias [O]?. */
    static void backwardFilter(DnnlKernelBuilder b, Conv2dBwdFilter op) {
        long[] x = DnnlDescs.dims(b.inputs.get(0)), dy = DnnlDescs.dims(b.inputs.get(1));
        long[] w = DnnlDescs.dims(b.outputs.get(0));
        dnnl_primitive_desc hint = forwardPd(b, op.window(), x, w, dy, op.bias());
        WindowDims g = WindowDims.of(op.window());
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_convolution_backward_weights_primitive_desc_create(pd, b.backend().engine(),
                dnnl_convolution_direct, b.any(x), b.any(w), op.bias() ? b.plain(w[0]) : null, b.any(dy),
                g.strides(), g.dilates(), g.padL(), g.padR(), hint, b.attr()),
                "dnnl_convolution_backward_weights_primitive_desc_create");
        Mem src = b.srcAs(0, b.query(pd, dnnl_query_src_md, 0));
        Mem diffDst = b.srcAs(1, b.query(pd, dnnl_query_diff_dst_md, 0));
        Mem diffWeights = b.dstAs(0, b.query(pd, dnnl_query_diff_weights_md, 0));
        if (op.bias()) {
            Mem diffBias = b.dstAs(1, b.query(pd, dnnl_query_diff_weights_md, 1));
            b.exec("convolution backward weights", pd, arg(DNNL_ARG_SRC, src), arg(DNNL_ARG_DIFF_DST, diffDst),
                    arg(DNNL_ARG_DIFF_WEIGHTS, diffWeights), arg(DNNL_ARG_DIFF_BIAS, diffBias));
        } else {
            b.exec("convolution backward weights", pd, arg(DNNL_ARG_SRC, src), arg(DNNL_ARG_DIFF_DST, diffDst),
                    arg(DNNL_ARG_DIFF_WEIGHTS, diffWeights));
        }
    }

    /** Forward training descriptor with layouts left to oneDNN; also the hint of the backward descriptors. */
    private static dnnl_primitive_desc forwardPd(DnnlKernelBuilder b, Window2d window, long[] x, long[] w, long[] y,
                                                 boolean bias) {
        WindowDims g = WindowDims.of(window);
        dnnl_memory_desc biasDesc = bias ? b.plain(w[0]) : null;
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_convolution_forward_primitive_desc_create(pd, b.backend().engine(), dnnl_forward_training,
                dnnl_convolution_direct, b.any(x), b.any(w), biasDesc, b.any(y), g.strides(), g.dilates(), g.padL(),
                g.padR(), b.attr()), "dnnl_convolution_forward_primitive_desc_create");
        return pd;
    }
}
