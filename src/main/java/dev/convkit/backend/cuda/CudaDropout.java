package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;

import dev.convkit.ops.DropoutOp;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Dropout with dropout_fwd_f32 (native/kernels/dropout.cu), which evaluates {@link DropoutOp#keep} bit for bit on the
 * device from (seed, step counter read from its (1,) tensor, element index), so the cuda and cpu engines draw the same
 * mask. Kept elements are scaled by DropoutOp.keptScale().
 */
final class CudaDropout {
    private CudaDropout() {}

    static CudaKernel forward(CudaBackend b, DropoutOp op, List<TensorSpec> in) {
        long n = in.get(0).size();
        float keepScale = op.keptScale();  // the op's one definition, so the mask equals the cpu engine's bit for bit
        // dropout_fwd_f32(dst, mask, src, counter, seed, rate, keep_scale, n)
        return new OneLaunch(b, op, in, DeviceFunction.DROPOUT_FWD_F32, elementwiseGrid(n), l ->
                l.u64(4, op.seed()).f32(5, op.rate()).f32(6, keepScale).i64(7, n));
    }
}
