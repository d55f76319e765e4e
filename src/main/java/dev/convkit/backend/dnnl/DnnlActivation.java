package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_backward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_clip_v2_use_dst_for_bwd;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_logistic_use_dst_for_bwd;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu_use_dst_for_bwd;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_tanh_use_dst_for_bwd;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_softmax_accurate;
import static org.bytedeco.dnnl.global.dnnl.dnnl_softmax_backward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_softmax_forward_primitive_desc_create;

import dev.convkit.backend.dnnl.DnnlKernelBuilder.Mem;
import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.ActivationBwd;
import dev.convkit.ops.LeakyRelu;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * Activations: oneDNN eltwise with the {@code *_use_dst_for_bwd} algorithms (relu, clip_v2 to [0, 6] for relu6,
 * logistic, tanh), so the backward
 * reads dst as the op's contract says, the softmax primitive (accurate, axis 1) forward and backward, and leaky
 * ReLU (eltwise_relu with alpha; its backward reads src).
 */
final class DnnlActivation {
    private DnnlActivation() {}

    /** src → dst of the same shape. */
    static void forward(DnnlKernelBuilder b, ActivationOp op) {
        dnnl_primitive_desc pd = forwardPd(b, op.kind(), b.workDesc(0));
        b.exec(op.name(), pd, arg(DNNL_ARG_SRC, b.srcWork(0)), arg(DNNL_ARG_DST, b.dst(0)));
    }

    /** (dst, diffDst) → diffSrc. */
    static void backward(DnnlKernelBuilder b, ActivationBwd op) {
        dnnl_memory_desc y = b.workDesc(0), dy = b.workDesc(1), dx = b.outputDesc(0);
        dnnl_primitive_desc hint = forwardPd(b, op.kind(), y);
        dnnl_primitive_desc pd = b.newPd();
        if (op.kind() == ActivationOp.Kind.SOFTMAX) {
            b.check(dnnl_softmax_backward_primitive_desc_create(pd, b.backend().engine(), dnnl_softmax_accurate, dx, dy,
                    y, 1, hint, b.attr()), "dnnl_softmax_backward_primitive_desc_create");
        } else {
            b.check(dnnl_eltwise_backward_primitive_desc_create(pd, b.backend().engine(), algorithm(op.kind()), dx, dy,
                    y, 0f, beta(op.kind()), hint, b.attr()), "dnnl_eltwise_backward_primitive_desc_create");
        }
        b.exec(op.name(), pd, arg(DNNL_ARG_DST, b.srcWork(0)), arg(DNNL_ARG_DIFF_DST, b.srcWork(1)),
                arg(DNNL_ARG_DIFF_SRC, b.dst(0, dx)));
    }

    /** Leaky ReLU: oneDNN eltwise_relu with alpha = slope (src → dst). */
    static void leaky(DnnlKernelBuilder b, LeakyRelu op) {
        dnnl_primitive_desc pd = leakyPd(b, op.slope(), b.workDesc(0));
        b.exec(op.name(), pd, arg(DNNL_ARG_SRC, b.srcWork(0)), arg(DNNL_ARG_DST, b.dst(0)));
    }

    /** (src, diffDst) → diffSrc by eltwise_relu backward with alpha = slope, which reads src. */
    static void leakyBackward(DnnlKernelBuilder b, LeakyRelu.Bwd op) {
        dnnl_memory_desc x = b.workDesc(0), dy = b.workDesc(1), dx = b.outputDesc(0);
        dnnl_primitive_desc hint = leakyPd(b, op.slope(), x);
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_eltwise_backward_primitive_desc_create(pd, b.backend().engine(), dnnl_eltwise_relu, dx, dy, x,
                op.slope(), 0f, hint, b.attr()), "dnnl_eltwise_backward_primitive_desc_create");
        b.exec(op.name(), pd, arg(DNNL_ARG_SRC, b.srcWork(0)), arg(DNNL_ARG_DIFF_DST, b.srcWork(1)),
                arg(DNNL_ARG_DIFF_SRC, b.dst(0, dx)));
    }

    private static dnnl_primitive_desc leakyPd(DnnlKernelBuilder b, float slope, dnnl_memory_desc md) {
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_eltwise_forward_primitive_desc_create(pd, b.backend().engine(), dnnl_forward_training,
                dnnl_eltwise_relu, md, md, slope, 0f, b.attr()), "dnnl_eltwise_forward_primitive_desc_create");
        return pd;
    }

    /** Queues {@code dx = dy · [y > 0]}, all three described by {@code md} (the unfused tail of a fused BN+ReLU). */
    static void reluBackward(DnnlKernelBuilder b, dnnl_memory_desc md, Mem y, Mem dy, Mem dx) {
        dnnl_primitive_desc hint = forwardPd(b, ActivationOp.Kind.RELU, md);
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_eltwise_backward_primitive_desc_create(pd, b.backend().engine(), algorithm(ActivationOp.Kind.RELU), md,
                md, md, 0f, 0f, hint, b.attr()), "dnnl_eltwise_backward_primitive_desc_create");
        b.exec("relu_bwd", pd, arg(DNNL_ARG_DST, y), arg(DNNL_ARG_DIFF_DST, dy), arg(DNNL_ARG_DIFF_SRC, dx));
    }

    /** Softmax forward over axis 1 of [N, K], or eltwise; src and dst share {@code md}. */
    static dnnl_primitive_desc forwardPd(DnnlKernelBuilder b, ActivationOp.Kind kind, dnnl_memory_desc md) {
        dnnl_primitive_desc pd = b.newPd();
        if (kind == ActivationOp.Kind.SOFTMAX) {
            b.check(dnnl_softmax_forward_primitive_desc_create(pd, b.backend().engine(), dnnl_forward_training,
                    dnnl_softmax_accurate, md, md, 1, b.attr()), "dnnl_softmax_forward_primitive_desc_create");
        } else {
            b.check(dnnl_eltwise_forward_primitive_desc_create(pd, b.backend().engine(), dnnl_forward_training,
                    algorithm(kind), md, md, 0f, beta(kind), b.attr()), "dnnl_eltwise_forward_primitive_desc_create");
        }
        return pd;
    }

    /** The eltwise beta: relu6 clips to [alpha = 0, beta = 6]; the other algorithms take none. */
    private static float beta(ActivationOp.Kind kind) { return kind == ActivationOp.Kind.RELU6 ? 6f : 0f; }

    private static int algorithm(ActivationOp.Kind kind) {
        return switch (kind) {
            case RELU -> dnnl_eltwise_relu_use_dst_for_bwd;
            case RELU6 -> dnnl_eltwise_clip_v2_use_dst_for_bwd;
            case SIGMOID -> dnnl_eltwise_logistic_use_dst_for_bwd;
            case TANH -> dnnl_eltwise_tanh_use_dst_for_bwd;
            case SOFTMAX -> throw new IllegalArgumentException("softmax is not an eltwise algorithm");
        };
    }
}
