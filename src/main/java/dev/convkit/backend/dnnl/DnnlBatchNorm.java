package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.dnnl_backward;
import static org.bytedeco.dnnl.global.dnnl.dnnl_batch_normalization_backward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_batch_normalization_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_fuse_norm_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nChw16c;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_workspace_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_global_stats;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_scale;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_shift;

import dev.convkit.backend.BackendException;
import dev.convkit.backend.Kernel;
import dev.convkit.backend.dnnl.DnnlKernelBuilder.Mem;
import dev.convkit.ops.BatchNormBwd;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormReluBwd;
import dev.convkit.ops.BatchNormReluInfer;
import dev.convkit.ops.BatchNormReluTrain;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.nio.FloatBuffer;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * Batch normalisation on oneDNN's batch_normalization primitive (scale = gamma, shift = beta), forward training,
 * forward inference with the given statistics, and backward. The running statistics of training mode are updated
 * by a host loop over the C channels after the primitive has produced the batch mean and biased variance.
 * 4-D tensors are normalised in the kernel's working layout (blocked when any of them is blocked). The fused
 * BN + ReLU ops use oneDNN's fuse_norm_relu flag: one pass instead of BN and eltwise, forward and backward.
 */
final class DnnlBatchNorm {
    private DnnlBatchNorm() {}

    private static final int SCALE_SHIFT = dnnl_use_scale | dnnl_use_shift;

    /** (src, gamma, beta, runningMean, runningVar) → (dst, mean, var); running stats updated in place. */
    static void train(DnnlKernelBuilder b, BatchNormTrain op) {
        dnnl_primitive_desc pd = trainingPd(b, op.epsilon(), false);
        b.exec("batch normalization forward training", pd, arg(DNNL_ARG_SRC, normSrc(b, 0)), arg(DNNL_ARG_SCALE, b.src(1)),
                arg(DNNL_ARG_SHIFT, b.src(2)), arg(DNNL_ARG_DST, normDst(b)), arg(DNNL_ARG_MEAN, b.dst(1)),
                arg(DNNL_ARG_VARIANCE, b.dst(2)));
        updateRunningStatistics(b, op.momentum());
    }

    /**
     * Fused BN + ReLU (oneDNN's fuse_norm_relu): as {@link #train} with dst = max(0, BN(src)); oneDNN's workspace
     * (which outputs were positive, one bit each) goes to saved memory for {@link #backwardRelu}.
     */
    static void trainRelu(DnnlKernelBuilder b, BatchNormReluTrain op) {
        dnnl_primitive_desc pd = trainingPd(b, op.epsilon(), true);
        Mem workspace = b.savedWritten(b.query(pd, dnnl_query_workspace_md, 0));
        b.exec("batch normalization + relu forward training", pd, arg(DNNL_ARG_SRC, normSrc(b, 0)),
                arg(DNNL_ARG_SCALE, b.src(1)), arg(DNNL_ARG_SHIFT, b.src(2)), arg(DNNL_ARG_DST, normDst(b)),
                arg(DNNL_ARG_MEAN, b.dst(1)), arg(DNNL_ARG_VARIANCE, b.dst(2)), arg(DNNL_ARG_WORKSPACE, workspace));
        updateRunningStatistics(b, op.momentum());
    }

    /** Host step after the forward primitive: inputs 3 and 4 (running mean, variance) from outputs 1 and 2. */
    private static void updateRunningStatistics(DnnlKernelBuilder b, float momentum) {
        TensorSpec x = b.inputs.get(0);
        int channels = x.dim(1);
        long count = x.size() / channels;
        // Keras: running = momentum * running + (1 - momentum) * batch; the variance is made unbiased first
        // (n / (n - 1), with n - 1 floored at 1 so a single value per channel does not divide by zero).
        double unbias = (double) count / Math.max(count - 1, 1);
        b.host((src, dst, scratch) -> {
            FloatBuffer mean = dst[1].floats(), var = dst[2].floats();
            FloatBuffer runningMean = src[3].floats(), runningVar = src[4].floats();
            for (int c = 0; c < channels; c++) {
                runningMean.put(c, momentum * runningMean.get(c) + (1 - momentum) * mean.get(c));
                runningVar.put(c, momentum * runningVar.get(c) + (1 - momentum) * (float) (var.get(c) * unbias));
            }
        });
    }

    /** (src, gamma, beta, mean, var) → dst with the given statistics. */
    static void infer(DnnlKernelBuilder b, BatchNormInfer op) { infer(b, op.epsilon(), 0); }

    /** As {@link #infer}, then ReLU in the same pass (fuse_norm_relu; inference needs no workspace). */
    static void inferRelu(DnnlKernelBuilder b, BatchNormReluInfer op) { infer(b, op.epsilon(), dnnl_fuse_norm_relu); }

    private static void infer(DnnlKernelBuilder b, float epsilon, int fuse) {
        dnnl_memory_desc x = normDesc(b, 0);
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_batch_normalization_forward_primitive_desc_create(pd, b.backend().engine(), dnnl_forward_inference,
                x, normOut(b), epsilon, SCALE_SHIFT | dnnl_use_global_stats | fuse, b.attr()),
                "dnnl_batch_normalization_forward_primitive_desc_create");
        b.exec(fuse == 0 ? "batch normalization forward inference" : "batch normalization + relu forward inference", pd,
                arg(DNNL_ARG_SRC, normSrc(b, 0)),
                arg(DNNL_ARG_SCALE, b.src(1)), arg(DNNL_ARG_SHIFT, b.src(2)), arg(DNNL_ARG_MEAN, b.src(3)),
                arg(DNNL_ARG_VARIANCE, b.src(4)), arg(DNNL_ARG_DST, normDst(b)));
    }

    /** (src, diffDst, gamma, mean, var) → (diffSrc, diffGamma, diffBeta). */
    static void backward(DnnlKernelBuilder b, BatchNormBwd op) {
        dnnl_primitive_desc pd = backwardPd(b, op.epsilon(), false, normDesc(b, 1));
        b.exec("batch normalization backward", pd, arg(DNNL_ARG_SRC, normSrc(b, 0)), arg(DNNL_ARG_DIFF_DST, normSrc(b, 1)),
                arg(DNNL_ARG_SCALE, b.src(2)), arg(DNNL_ARG_MEAN, b.src(3)), arg(DNNL_ARG_VARIANCE, b.src(4)),
                arg(DNNL_ARG_DIFF_SRC, normDst(b)), arg(DNNL_ARG_DIFF_SCALE, b.dst(1)), arg(DNNL_ARG_DIFF_SHIFT, b.dst(2)));
    }

    /**
     * (src, dst, diffDst, gamma, mean, var) → (diffSrc, diffGamma, diffBeta). With its own forward kernel as hint
     * it is one fused primitive reading the saved workspace; compiled alone (no saved workspace to read) it masks
     * diffDst with dst > 0 into scratch and runs the plain BN backward.
     */
    static void backwardRelu(DnnlKernelBuilder b, BatchNormReluBwd op, Kernel forward) {
        dnnl_primitive_desc fused = backwardPd(b, op.epsilon(), true, normDesc(b, 2));
        dnnl_memory_desc wsDesc = b.query(fused, dnnl_query_workspace_md, 0);
        // The forward's workspace holds one bit per element of src in the forward's working layout; it is read here
        // only when this kernel works in that same layout (a canonical src normalised canonically forward but blocked
        // here, because diffDst arrives blocked, would have its bits in another order, and equal sizes do not show it:
        // nhwc has no padding).
        if (forward instanceof DnnlKernel k && k.op() instanceof BatchNormReluTrain f && f.epsilon() == op.epsilon()
                && k.inputs().get(0).equals(b.inputs.get(0)) && worksBlocked(k) == b.blockedWork()
                && k.savedBytes() == DnnlKernelBuilder.size(wsDesc)) {
            b.exec("batch normalization + relu backward", fused, arg(DNNL_ARG_SRC, normSrc(b, 0)),
                    arg(DNNL_ARG_DIFF_DST, normSrc(b, 2)), arg(DNNL_ARG_SCALE, b.src(3)), arg(DNNL_ARG_MEAN, b.src(4)),
                    arg(DNNL_ARG_VARIANCE, b.src(5)), arg(DNNL_ARG_WORKSPACE, b.savedRead(wsDesc)),
                    arg(DNNL_ARG_DIFF_SRC, normDst(b)), arg(DNNL_ARG_DIFF_SCALE, b.dst(1)), arg(DNNL_ARG_DIFF_SHIFT, b.dst(2)));
            return;
        }
        dnnl_memory_desc dy = b.workDesc(2);
        Mem masked = b.temp(dy);
        DnnlActivation.reluBackward(b, dy, b.srcWork(1), b.srcWork(2), masked);
        if (viaBlocks(b)) {
            Mem blocked = b.temp(normDesc(b, 2));
            b.reorder(masked, blocked);
            masked = blocked;
        }
        dnnl_primitive_desc plain = backwardPd(b, op.epsilon(), false, normDesc(b, 2));
        b.exec("batch normalization backward", plain, arg(DNNL_ARG_SRC, normSrc(b, 0)), arg(DNNL_ARG_DIFF_DST, masked),
                arg(DNNL_ARG_SCALE, b.src(3)), arg(DNNL_ARG_MEAN, b.src(4)), arg(DNNL_ARG_VARIANCE, b.src(5)),
                arg(DNNL_ARG_DIFF_SRC, normDst(b)), arg(DNNL_ARG_DIFF_SCALE, b.dst(1)), arg(DNNL_ARG_DIFF_SHIFT, b.dst(2)));
    }

    /**
     * Whether this kernel normalises in 16-channel blocks instead of its working layout: bf16 activations kept in
     * channels last whose channel count is not a multiple of 16. oneDNN 3.11 has jit bf16 batch norm in nhwc only for
     * whole 16-channel blocks; other counts (DenseNet's 24 + 12k) fall to its generic nspc_bnorm, measured at
     * 2.37 of 2.80 s of a DenseNet-BC-100:64 bf16 step. In nChw16c the jit kernel runs, and the reorders in and out
     * cost a fraction of that.
     */
    private static boolean viaBlocks(DnnlKernelBuilder b) {
        TensorSpec x = b.inputs.get(0);
        DnnlBlockedFormat bf16 = b.backend().blocked(DType.BF16);
        return x.dtype() == DType.BF16 && x.rank() == 4 && x.dim(1) % 16 != 0 && bf16 != null && bf16.channelsLast();
    }

    /** The descriptor batch norm works on for 4-D input i: nChw16c bf16 when {@link #viaBlocks}, else the working layout. */
    private static dnnl_memory_desc normDesc(DnnlKernelBuilder b, int i) {
        return viaBlocks(b) ? b.tagged(DType.BF16, DnnlDescs.dims(b.inputs.get(i)), dnnl_nChw16c) : b.workDesc(i);
    }

    /** Input i as batch norm reads it ({@link #normDesc}), reordered into a temporary when that differs. */
    private static Mem normSrc(DnnlKernelBuilder b, int i) { return viaBlocks(b) ? b.srcAs(i, normDesc(b, i)) : b.srcWork(i); }

    /** The descriptor of the 4-D output (dst or diffSrc) as batch norm writes it. */
    private static dnnl_memory_desc normOut(DnnlKernelBuilder b) { return viaBlocks(b) ? normDesc(b, 0) : b.outputDesc(0); }

    /** Output 0 as batch norm writes it, reordered into the output's own layout afterwards when that differs. */
    private static Mem normDst(DnnlKernelBuilder b) { return viaBlocks(b) ? b.dstAs(0, normOut(b)) : b.dst(0); }

    /** Whether {@code k} worked in the engine layout ({@link DnnlKernelBuilder#blockedWork()} when it was built). */
    private static boolean worksBlocked(DnnlKernel k) {
        return k.inputs().stream().anyMatch(s -> s.layout() == Layout.ENGINE)
                || k.outputs().stream().anyMatch(s -> s.layout() == Layout.ENGINE);
    }

    /** Backward over src = input 0 and a diffDst described by {@code dy}, hinted by the matching forward. */
    private static dnnl_primitive_desc backwardPd(DnnlKernelBuilder b, float epsilon, boolean relu, dnnl_memory_desc dy) {
        dnnl_primitive_desc hint = trainingPd(b, epsilon, relu);
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_batch_normalization_backward_primitive_desc_create(pd, b.backend().engine(), dnnl_backward,
                normOut(b), dy, normDesc(b, 0), epsilon, flags(relu), hint, b.attr()),
                "dnnl_batch_normalization_backward_primitive_desc_create");
        return pd;
    }

    private static int flags(boolean relu) { return relu ? SCALE_SHIFT | dnnl_fuse_norm_relu : SCALE_SHIFT; }

    /** Forward training over input 0 (src of both the forward and the backward op), with or without fused relu. */
    private static dnnl_primitive_desc trainingPd(DnnlKernelBuilder b, float epsilon, boolean relu) {
        dnnl_memory_desc x = normDesc(b, 0);
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_batch_normalization_forward_primitive_desc_create(pd, b.backend().engine(), dnnl_forward_training,
                x, x, epsilon, flags(relu), b.attr()), "dnnl_batch_normalization_forward_primitive_desc_create");
        boolean hasWorkspace = DnnlKernelBuilder.size(b.query(pd, dnnl_query_workspace_md, 0)) != 0;
        if (hasWorkspace != relu) {
            throw new BackendException(DnnlStatus.ENGINE, b.op, b.inputs, 0, "oneDNN batch normalization "
                    + (relu ? "with fused relu did not ask for the workspace of its relu mask"
                            : "asked for a workspace, which only fused relu needs"));
        }
        return pd;
    }
}
