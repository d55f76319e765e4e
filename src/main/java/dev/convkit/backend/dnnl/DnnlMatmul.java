package dev.convkit.backend.dnnl;

import static org.bytedeco.dnnl.global.dnnl.dnnl_matmul_primitive_desc_create;

import dev.convkit.backend.dnnl.DnnlKernelBuilder.Mem;
import dev.convkit.tensor.DType;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/** What the matmul-based kernels (dense layers, small-image convolutions) share: the descriptor and their weights. */
final class DnnlMatmul {
    private DnnlMatmul() {}

    /** A matmul descriptor {@code dst = src · weights (+ bias)}; {@code bias} may be null. */
    static dnnl_primitive_desc pd(DnnlKernelBuilder b, dnnl_memory_desc src, dnnl_memory_desc weights,
                                  dnnl_memory_desc bias, dnnl_memory_desc dst) {
        dnnl_primitive_desc pd = b.newPd();
        b.check(dnnl_matmul_primitive_desc_create(pd, b.backend().engine(), src, weights, bias, dst, b.attr()),
                "dnnl_matmul_primitive_desc_create");
        return pd;
    }

    /**
     * The f32 weights (input 1, seen through {@code f32}) as the matmul reads them: the buffer itself when the
     * activations (input 0) are f32, else a temporary of the same layout in their type ({@code typed}) filled by a
     * reorder, once per run.
     */
    static Mem weightsAs(DnnlKernelBuilder b, dnnl_memory_desc f32, dnnl_memory_desc typed) {
        if (b.type(0) == DType.F32) return b.src(1, f32);
        Mem t = b.temp(typed);
        b.reorder(b.src(1, f32), t);
        return t;
    }
}
