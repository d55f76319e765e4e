package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_matmul_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reduction_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reduction_sum;

import dev.convkit.ops.DenseOp;
import dev.convkit.ops.DenseBwdData;
import dev.convkit.ops.DenseBwdWeights;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * Dense layers on oneDNN matmul with Keras weights [K, M] = [in, out]. The backward products use transposed views
 * (strided descriptors over the same bytes, no copies): dx = dy · wᵀ and dW = xᵀ · dy; the bias gradient is a
 * reduction (sum over the batch) of dy.
 */
final class DnnlDense {
    private DnnlDense() {}

    /** src [N, K] · weights [K, M] (+ bias [M]) → dst [N, M]. */
    static void forward(DnnlKernelBuilder b, DenseOp op) {
        long m = b.inputs.get(1).dim(1);
        dnnl_memory_desc bias = op.bias() ? b.plain(1, m) : null;
        dnnl_primitive_desc pd = matmul(b, b.inputDesc(0), b.inputDesc(1), bias, b.outputDesc(0));
        if (op.bias()) {
            b.exec("matmul", pd, arg(DNNL_ARG_SRC, b.src(0)), arg(DNNL_ARG_WEIGHTS, b.src(1)),
                    arg(DNNL_ARG_BIAS, b.src(2, bias)), arg(DNNL_ARG_DST, b.dst(0)));
        } else {
            b.exec("matmul", pd, arg(DNNL_ARG_SRC, b.src(0)), arg(DNNL_ARG_WEIGHTS, b.src(1)), arg(DNNL_ARG_DST, b.dst(0)));
        }
    }

    /** diffDst [N, M], weights [K, M] → diffSrc [N, K] = dy · wᵀ. */
    static void backwardData(DnnlKernelBuilder b, DenseBwdData op) {
        long k = b.inputs.get(1).dim(0), m = b.inputs.get(1).dim(1);
        dnnl_memory_desc weightsT = b.strided(new long[] {m, k}, new long[] {1, m});
        dnnl_memory_desc dy = b.inputDesc(0), dx = b.outputDesc(0);
        dnnl_primitive_desc pd = matmul(b, dy, weightsT, null, dx);
        b.exec("matmul dy·wT", pd, arg(DNNL_ARG_SRC, b.src(0, dy)), arg(DNNL_ARG_WEIGHTS, b.src(1, weightsT)),
                arg(DNNL_ARG_DST, b.dst(0, dx)));
    }

    /** src [N, K], diffDst [N, M] → diffWeights [K, M] = xᵀ · dy, diffBias [M] = Σ_n dy. */
    static void backwardWeights(DnnlKernelBuilder b, DenseBwdWeights op) {
        long n = b.inputs.get(0).dim(0), k = b.inputs.get(0).dim(1), m = b.inputs.get(1).dim(1);
        dnnl_memory_desc srcT = b.strided(new long[] {k, n}, new long[] {1, k});
        dnnl_memory_desc dy = b.inputDesc(1), dw = b.outputDesc(0);
        dnnl_primitive_desc pd = matmul(b, srcT, dy, null, dw);
        b.exec("matmul xT·dy", pd, arg(DNNL_ARG_SRC, b.src(0, srcT)), arg(DNNL_ARG_WEIGHTS, b.src(1, dy)),
                arg(DNNL_ARG_DST, b.dst(0, dw)));
        if (op.bias()) {
            dnnl_memory_desc db = b.plain(1, m);
            dnnl_primitive_desc sum = b.newPd();
            b.check(dnnl_reduction_primitive_desc_create(sum, b.backend().engine(), dnnl_reduction_sum, dy, db, 0f, 0f,
                    b.attr()), "dnnl_reduction_primitive_desc_create");
            b.exec("reduction sum", sum, arg(DNNL_ARG_SRC, b.src(1, dy)), arg(DNNL_ARG_DST, b.dst(1, db)));
        }
    }

    private static dnnl_primitive_desc matmul(DnnlKernelBuilder b, dnnl_memory_desc src, dnnl_memory_desc weights,
                                              dnnl_memory_desc bias, dnnl_memory_desc dst) {
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_matmul_primitive_desc_create(pd, b.backend().engine(), src, weights, bias, dst, b.attr()),
                "dnnl_matmul_primitive_desc_create");
        return pd;
    }
}
