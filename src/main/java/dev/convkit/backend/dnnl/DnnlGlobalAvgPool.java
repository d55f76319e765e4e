package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_avg_exclude_padding;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_backward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_forward_primitive_desc_create;

import dev.convkit.backend.dnnl.DnnlKernelBuilder.Mem;
import dev.convkit.ops.GlobalAvgPool;
import dev.convkit.ops.GlobalAvgPoolBwd;
import dev.convkit.tensor.Shape;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * Global average pooling as oneDNN average pooling with an H x W window; the [N, C] side is described as
 * [N, C, 1, 1], which has the same bytes. With a blocked 4-D side the pooled side is first a blocked [N, C, 1, 1]
 * temporary (pooling runs fast only with one layout on both sides), reordered to or from the canonical [N, C].
 */
final class DnnlGlobalAvgPool {
    private DnnlGlobalAvgPool() {}

    /** src [N, C, H, W] → dst [N, C]. */
    static void forward(DnnlKernelBuilder b, GlobalAvgPool op) {
        Shape x = b.inputs.get(0).shape();
        dnnl_memory_desc y = pooledDesc(b, x);
        if (!b.blockedWork()) {
            dnnl_primitive_desc pd = forwardPd(b, x, b.inputDesc(0), y);
            b.exec(op.name(), pd, arg(DNNL_ARG_SRC, b.src(0)), arg(DNNL_ARG_DST, b.dst(0, y)));
            return;
        }
        dnnl_memory_desc pooled = b.blockedDesc(b.type(0), x.dim(0), x.dim(1), 1, 1);
        dnnl_primitive_desc pd = forwardPd(b, x, b.inputDesc(0), pooled);
        if (sameBytes(b, x)) {
            b.exec(op.name(), pd, arg(DNNL_ARG_SRC, b.src(0)), arg(DNNL_ARG_DST, b.dst(0, pooled)));
            return;
        }
        Mem temp = b.temp(pooled);
        b.exec(op.name(), pd, arg(DNNL_ARG_SRC, b.src(0)), arg(DNNL_ARG_DST, temp));
        b.reorder(temp, b.dst(0, y));
    }

    /** diffDst [N, C] → diffSrc [N, C, H, W], each element dy / (H·W). */
    static void backward(DnnlKernelBuilder b, GlobalAvgPoolBwd op) {
        Shape x = op.srcShape();
        dnnl_memory_desc dx = b.outputDesc(0), plain = pooledDesc(b, x);
        dnnl_memory_desc dy = b.blockedWork() ? b.blockedDesc(b.type(0), x.dim(0), x.dim(1), 1, 1) : plain;
        dnnl_primitive_desc hint = forwardPd(b, x, dx, dy);
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_pooling_backward_primitive_desc_create(pd, b.backend().engine(), dnnl_pooling_avg_exclude_padding,
                dx, dy, new long[] {1, 1}, window(x), new long[2], new long[2], new long[2], hint, b.attr()),
                "dnnl_pooling_backward_primitive_desc_create");
        Mem diffDst;
        if (dy == plain || sameBytes(b, x)) {
            diffDst = b.src(0, dy);
        } else {
            diffDst = b.temp(dy);
            b.reorder(b.src(0, plain), diffDst);
        }
        b.exec(op.name(), pd, arg(DNNL_ARG_DIFF_DST, diffDst), arg(DNNL_ARG_DIFF_SRC, b.dst(0, dx)));
    }

    /**
     * Whether a blocked [N, C, 1, 1] has exactly the bytes of the canonical [N, C]: with one pixel, element (n, c) sits
     * at n·Cp + c, which is n·C + c when C is a whole number of blocks.
     */
    private static boolean sameBytes(DnnlKernelBuilder b, Shape x) {
        DnnlBlockedFormat f = b.backend().blocked(b.type(0));
        return x.dim(1) % f.block(x.dim(1)) == 0;
    }

    /** The [N, C] side as [N, C, 1, 1], in the activations' type (input 0: src forward, diffDst backward). */
    private static dnnl_memory_desc pooledDesc(DnnlKernelBuilder b, Shape x) {
        return b.plain(b.type(0), x.dim(0), x.dim(1), 1, 1);
    }

    private static long[] window(Shape x) { return new long[] {x.dim(2), x.dim(3)}; }

    private static dnnl_primitive_desc forwardPd(DnnlKernelBuilder b, Shape x, dnnl_memory_desc src, dnnl_memory_desc dst) {
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_pooling_forward_primitive_desc_create(pd, b.backend().engine(), dnnl_forward_training,
                dnnl_pooling_avg_exclude_padding, src, dst, new long[] {1, 1}, window(x), new long[2], new long[2],
                new long[2], b.attr()), "dnnl_pooling_forward_primitive_desc_create");
        return pd;
    }
}
