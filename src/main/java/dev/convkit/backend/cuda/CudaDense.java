package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.KernelGeometry.BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;
import static dev.convkit.backend.cuda.KernelGeometry.gridFor;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;

import dev.convkit.ops.DenseOp;
import dev.convkit.ops.DenseBwdData;
import dev.convkit.ops.DenseBwdWeights;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Dense layers on cuBLAS SGEMM (FP32, no TF32). cuBLAS is column-major; a row-major [r, c] matrix is the column-major
 * [c, r] matrix, its transpose, with leading dimension c. So each row-major product C = A·B is computed as the
 * column-major Cᵀ = Bᵀ·Aᵀ, with no data movement:
 * <ul>
 *   <li>forward  y[N,M] = x[N,K]·W[K,M]:   yᵀ = Wᵀ·xᵀ       → sgemm(N, N, m=M, n=N, k=K, W ld M, x ld K, y ld M)
 *   <li>bwd data dx[N,K] = dy[N,M]·Wᵀ:     dxᵀ = W·dyᵀ      → sgemm(T, N, m=K, n=N, k=M, W ld M, dy ld M, dx ld K)
 *   <li>bwd wts  dW[K,M] = xᵀ·dy[N,M]:     dWᵀ = dyᵀ·x      → sgemm(N, T, m=M, n=K, k=N, dy ld M, x ld K, dW ld M)
 * </ul>
 * Bias add (bias_add_rows_f32) and the bias gradient (column_sums_f32, deterministic) are our kernels.
 */
final class CudaDense {
    private CudaDense() {}

    static CudaKernel forward(CudaBackend b, DenseOp op, List<TensorSpec> in) { return new Forward(b, op, in); }

    static CudaKernel backwardData(CudaBackend b, DenseBwdData op, List<TensorSpec> in) { return new BackwardData(b, op, in); }

    static CudaKernel backwardWeights(CudaBackend b, DenseBwdWeights op, List<TensorSpec> in) {
        return new BackwardWeights(b, op, in);
    }

    private static final class Forward extends CudaKernel {
        private final int n, k, m;
        private final Launch bias;
        private final DevicePointer x = new DevicePointer(), w = new DevicePointer(), y = new DevicePointer();

        Forward(CudaBackend backend, DenseOp op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            n = inputs.get(0).dim(0);
            k = inputs.get(0).dim(1);
            m = inputs.get(1).dim(1);
            bias = op.bias() ? launch(DeviceFunction.BIAS_ADD_ROWS_F32).i64(2, n).i32(3, m) : null;
        }

        @Override protected void execute() {
            Check.cublas(cublasSgemm_v2(backend.cublas(), CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, backend.one(), w.at(in[1]), m,
                    x.at(in[0]), k, backend.zero(), y.at(out[0]), m), "cublasSgemm(dense forward)", op(), inputs());
            if (bias != null) bias.pointer(0, out[0]).pointer(1, in[2]).enqueue(elementwiseGrid((long) n * m), BLOCK);
        }
    }

    /** DenseBwdData: (diffDst [N, M], weights [K, M]) → diffSrc [N, K]. */
    private static final class BackwardData extends CudaKernel {
        private final int n, k, m;
        private final DevicePointer dy = new DevicePointer(), w = new DevicePointer(), dx = new DevicePointer();

        BackwardData(CudaBackend backend, DenseBwdData op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            n = inputs.get(0).dim(0);
            m = inputs.get(0).dim(1);
            k = inputs.get(1).dim(0);
        }

        @Override protected void execute() {
            Check.cublas(cublasSgemm_v2(backend.cublas(), CUBLAS_OP_T, CUBLAS_OP_N, k, n, m, backend.one(), w.at(in[1]), m,
                    dy.at(in[0]), m, backend.zero(), dx.at(out[0]), k), "cublasSgemm(dense backward data)", op(), inputs());
        }
    }

    /** DenseBwdWeights: (src [N, K], diffDst [N, M]) → diffWeights [K, M] (+ diffBias [M]). */
    private static final class BackwardWeights extends CudaKernel {
        private final int n, k, m;
        private final Launch biasGrad;
        private final DevicePointer x = new DevicePointer(), dy = new DevicePointer(), dw = new DevicePointer();

        BackwardWeights(CudaBackend backend, DenseBwdWeights op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            n = inputs.get(0).dim(0);
            k = inputs.get(0).dim(1);
            m = inputs.get(1).dim(1);
            biasGrad = op.bias() ? launch(DeviceFunction.COLUMN_SUMS_F32).i64(2, n).i32(3, m) : null;
        }

        @Override protected void execute() {
            Check.cublas(cublasSgemm_v2(backend.cublas(), CUBLAS_OP_N, CUBLAS_OP_T, m, k, n, backend.one(), dy.at(in[1]), m,
                    x.at(in[0]), k, backend.zero(), dw.at(out[0]), m), "cublasSgemm(dense backward weights)", op(), inputs());
            if (biasGrad != null) biasGrad.pointer(0, out[1]).pointer(1, in[1]).enqueue(gridFor(m, BLOCK), BLOCK);
        }
    }
}
