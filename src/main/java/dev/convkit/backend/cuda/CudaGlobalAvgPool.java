package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.KernelGeometry.BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;
import static dev.convkit.backend.cuda.KernelGeometry.gridFor;

import dev.convkit.ops.GlobalAvgPool;
import dev.convkit.ops.GlobalAvgPoolBwd;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** GlobalAvgPool (one warp per N·C plane, native/kernels/reduce.cu) and its backward (dy / (H·W) broadcast). */
final class CudaGlobalAvgPool {
    private static final int PLANES_PER_BLOCK = BLOCK / 32;

    private CudaGlobalAvgPool() {}

    static CudaKernel forward(CudaBackend b, GlobalAvgPool op, List<TensorSpec> in) {
        TensorSpec x = in.get(0);
        long planes = (long) x.dim(0) * x.dim(1);
        return new OneLaunch(b, op, in, DeviceFunction.GLOBAL_AVG_POOL_F32, gridFor(planes, PLANES_PER_BLOCK), l ->
                l.i64(2, planes).i64(3, (long) x.dim(2) * x.dim(3)));
    }

    static CudaKernel backward(CudaBackend b, GlobalAvgPoolBwd op, List<TensorSpec> in) {
        long planes = (long) op.srcShape().dim(0) * op.srcShape().dim(1);
        long hw = (long) op.srcShape().dim(2) * op.srcShape().dim(3);
        return new OneLaunch(b, op, in, DeviceFunction.GLOBAL_AVG_POOL_BWD_F32, elementwiseGrid(planes * hw), l ->
                l.i64(2, planes).i64(3, hw));
    }
}
