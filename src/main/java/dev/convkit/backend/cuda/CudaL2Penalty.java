package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.KernelGeometry.BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.REDUCTION_BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;
import static dev.convkit.backend.cuda.KernelGeometry.partialsGrid;

import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.L2PenaltyBwd;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * L2Penalty λ·Σw² in two passes (per-block double partials in scratch, then one block sums them; the grid depends on
 * n only, so the order of additions is fixed) and its gradient 2·λ·dP·w.
 */
final class CudaL2Penalty {
    private CudaL2Penalty() {}

    static CudaKernel forward(CudaBackend b, L2Penalty op, List<TensorSpec> in) { return new Forward(b, op, in); }

    static CudaKernel backward(CudaBackend b, L2PenaltyBwd op, List<TensorSpec> in) {
        long n = in.get(0).size();  // l2_penalty_bwd_f32(dw, w, d_penalty, lambda, n)
        return new OneLaunch(b, op, in, DeviceFunction.L2_PENALTY_BWD_F32, elementwiseGrid(n), l -> l.f32(3, op.lambda()).i64(4, n));
    }

    /** w → (penalty [1]); scratch: one double per first-pass block. */
    private static final class Forward extends CudaKernel {
        private final int blocks;
        private final Launch partials;
        private final Launch sum;

        Forward(CudaBackend backend, L2Penalty op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            long n = inputs.get(0).size();
            blocks = partialsGrid(n);
            partials = launch(DeviceFunction.L2_PENALTY_BLOCKS_F32).i64(2, n);           // (partials, w, n)
            sum = launch(DeviceFunction.L2_PENALTY_SUM_F32).f32(2, op.lambda()).i32(3, blocks);  // (out, partials, λ, blocks)
            scratchBytes((long) Double.BYTES * blocks);
        }

        @Override protected void execute() {
            partials.pointer(0, scratch).pointer(1, in[0]).enqueue(blocks, BLOCK);
            sum.pointer(0, out[0]).pointer(1, scratch).enqueue(1, REDUCTION_BLOCK);
        }
    }
}
