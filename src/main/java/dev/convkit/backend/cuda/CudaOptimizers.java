package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;

import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.EmaUpdate;
import dev.convkit.ops.RmsPropUpdate;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Optimizer updates and the weights' moving average (native/kernels/optim.cu), in place over flat slices. The learning rate and step come from the
 * op's (2,) hyper tensor on the device, so schedules change them without recompiling.
 */
final class CudaOptimizers {
    private CudaOptimizers() {}

    static CudaKernel sgd(CudaBackend b, SgdUpdate op, List<TensorSpec> in) {
        long n = in.get(0).size();  // sgd_update_f32(param, grad, velocity, hyper, n, momentum, nesterov)
        return new OneLaunch(b, op, in, DeviceFunction.SGD_UPDATE_F32, elementwiseGrid(n), l ->
                l.i64(4, n).f32(5, op.momentum()).i32(6, op.nesterov() ? 1 : 0));
    }

    static CudaKernel adam(CudaBackend b, AdamUpdate op, List<TensorSpec> in) {
        long n = in.get(0).size();  // adam_update_f32(param, grad, m, v, hyper, n, beta1, beta2, epsilon)
        return new OneLaunch(b, op, in, DeviceFunction.ADAM_UPDATE_F32, elementwiseGrid(n), l ->
                l.i64(5, n).f32(6, op.beta1()).f32(7, op.beta2()).f32(8, op.epsilon()));
    }

    static CudaKernel rmsprop(CudaBackend b, RmsPropUpdate op, List<TensorSpec> in) {
        long n = in.get(0).size();  // rmsprop_update_f32(param, grad, mean_square, hyper, n, rho, epsilon)
        return new OneLaunch(b, op, in, DeviceFunction.RMSPROP_UPDATE_F32, elementwiseGrid(n), l ->
                l.i64(4, n).f32(5, op.rho()).f32(6, op.epsilon()));
    }

    static CudaKernel ema(CudaBackend b, EmaUpdate op, List<TensorSpec> in) {
        long n = in.get(0).size();  // ema_update_f32(average, value, hyper, n, momentum)
        return new OneLaunch(b, op, in, DeviceFunction.EMA_UPDATE_F32, elementwiseGrid(n), l -> l.i64(3, n).f32(4, op.momentum()));
    }
}
