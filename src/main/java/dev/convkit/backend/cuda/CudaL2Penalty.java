package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.KernelGeometry.REDUCTION_BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;

import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.L2PenaltyBwd;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** L2Penalty λ·Σw² (one block, double accumulation, fixed order) and its gradient 2·λ·dP·w. */
final class CudaL2Penalty {
    private CudaL2Penalty() {}

    static CudaKernel forward(CudaBackend b, L2Penalty op, List<TensorSpec> in) {
        long n = in.get(0).size();  // l2_penalty_f32(out, w, lambda, n)
        return new OneLaunch(b, op, in, DeviceFunction.L2_PENALTY_F32, 1, REDUCTION_BLOCK, l -> l.f32(2, op.lambda()).i64(3, n));
    }

    static CudaKernel backward(CudaBackend b, L2PenaltyBwd op, List<TensorSpec> in) {
        long n = in.get(0).size();  // l2_penalty_bwd_f32(dw, w, d_penalty, lambda, n)
        return new OneLaunch(b, op, in, DeviceFunction.L2_PENALTY_BWD_F32, elementwiseGrid(n), l -> l.f32(3, op.lambda()).i64(4, n));
    }
}
