package dev.convkit.backend.dnnl;

import static dev.convkit.backend.dnnl.DnnlKernelBuilder.arg;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;

import dev.convkit.backend.dnnl.DnnlKernelBuilder.Mem;
import dev.convkit.ops.DenseOp;
import dev.convkit.ops.DenseBwdData;
import dev.convkit.ops.DenseBwdWeights;
import dev.convkit.tensor.DType;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * Dense layers on oneDNN matmul with Keras weights [K, M] = [in, out]. The backward products use transposed views
 * (strided descriptors over the same bytes, no copies): dx = dy · wᵀ and dW = xᵀ · dy; the bias gradient (sum
 * over the batch) is dyᵀ · 1.
 *
 * <p>Types: the products run in the activations' type. With bf16 activations the f32 master weights are converted
 * into a bf16 temporary of the same layout (one reorder over K·M values; the transposed view for dx likewise),
 * the weight gradient is written in f32 by the matmul itself (bf16 sources, f32 destination), the bias gradient too
 * (dyᵀ times a vector of ones).
 */
final class DnnlDense {
    private DnnlDense() {}

    /** src [N, K] · weights [K, M] (+ bias [M]) → dst [N, M]. */
    static void forward(DnnlKernelBuilder b, DenseOp op) {
        long k = b.inputs.get(1).dim(0), m = b.inputs.get(1).dim(1);
        dnnl_memory_desc bias = op.bias() ? b.plain(1, m) : null;
        Mem weights = DnnlMatmul.weightsAs(b, b.inputDesc(1), b.plain(b.type(0), k, m));
        dnnl_primitive_desc pd = DnnlMatmul.pd(b, b.inputDesc(0), weights.desc(), bias, b.outputDesc(0));
        if (op.bias()) {
            b.exec("matmul", pd, arg(DNNL_ARG_SRC, b.src(0)), arg(DNNL_ARG_WEIGHTS, weights),
                    arg(DNNL_ARG_BIAS, b.src(2, bias)), arg(DNNL_ARG_DST, b.dst(0)));
        } else {
            b.exec("matmul", pd, arg(DNNL_ARG_SRC, b.src(0)), arg(DNNL_ARG_WEIGHTS, weights), arg(DNNL_ARG_DST, b.dst(0)));
        }
    }

    /** diffDst [N, M], weights [K, M] → diffSrc [N, K] = dy · wᵀ. */
    static void backwardData(DnnlKernelBuilder b, DenseBwdData op) {
        long k = b.inputs.get(1).dim(0), m = b.inputs.get(1).dim(1);
        long[] dims = {m, k}, strides = {1, m};
        Mem weightsT = DnnlMatmul.weightsAs(b, b.strided(dims, strides), b.strided(b.type(0), dims, strides));
        dnnl_memory_desc dy = b.inputDesc(0), dx = b.outputDesc(0);
        dnnl_primitive_desc pd = DnnlMatmul.pd(b, dy, weightsT.desc(), null, dx);
        b.exec("matmul dy·wT", pd, arg(DNNL_ARG_SRC, b.src(0, dy)), arg(DNNL_ARG_WEIGHTS, weightsT),
                arg(DNNL_ARG_DST, b.dst(0, dx)));
    }

    /** src [N, K], diffDst [N, M] → diffWeights [K, M] = xᵀ · dy, diffBias [M] = Σ_n dy. */
    static void backwardWeights(DnnlKernelBuilder b, DenseBwdWeights op) {
        long n = b.inputs.get(0).dim(0), k = b.inputs.get(0).dim(1), m = b.inputs.get(1).dim(1);
        dnnl_memory_desc srcT = b.strided(b.type(0), new long[] {k, n}, new long[] {1, k});
        dnnl_memory_desc dy = b.inputDesc(1), dw = b.outputDesc(0);
        dnnl_primitive_desc pd = DnnlMatmul.pd(b, srcT, dy, null, dw);
        b.exec("matmul xT·dy", pd, arg(DNNL_ARG_SRC, b.src(0, srcT)), arg(DNNL_ARG_WEIGHTS, b.src(1, dy)),
                arg(DNNL_ARG_DST, b.dst(0, dw)));
        if (op.bias()) {   // Σ_n dy[n, m] = (dyᵀ · 1)[m]: matmul's fast path (oneDNN's reduction runs reference code here)
            dnnl_memory_desc dyT = b.strided(b.type(1), new long[] {m, n}, new long[] {1, m});
            dnnl_memory_desc ones = b.plain(b.type(1), n, 1), db = b.plain(m, 1);
            Mem one = DnnlElementwise.ones(b, b.type(1), n);
            b.exec("matmul dyT·1", DnnlMatmul.pd(b, dyT, ones, null, db), arg(DNNL_ARG_SRC, b.src(1, dyT)),
                    arg(DNNL_ARG_WEIGHTS, b.view(one, 0, ones)), arg(DNNL_ARG_DST, b.dst(1, db)));
        }
    }
}
