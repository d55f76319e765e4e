package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.KernelGeometry.REDUCTION_BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;
import static dev.convkit.backend.cuda.KernelGeometry.warpMultiple;

import dev.convkit.ops.SoftmaxCrossEntropy;
import dev.convkit.ops.SoftmaxCrossEntropyBwd;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Softmax cross-entropy (native/kernels/softmax_xent.cu): one block per row computes the softmax and that row's loss
 * into scratch (N floats), then mean_f32 averages the rows into the (1,) loss in a fixed order. Backward is
 * element-wise: dL · (p − y) / N.
 */
final class CudaSoftmaxCrossEntropy {
    private CudaSoftmaxCrossEntropy() {}

    static CudaKernel forward(CudaBackend b, SoftmaxCrossEntropy op, List<TensorSpec> in) { return new Forward(b, op, in); }

    static CudaKernel backward(CudaBackend b, SoftmaxCrossEntropyBwd op, List<TensorSpec> in) {
        int rows = in.get(0).dim(0), classes = in.get(0).dim(1);
        // softmax_xent_bwd_f32(dlogits, probs, labels, d_loss, rows, classes, sparse)
        return new OneLaunch(b, op, in, DeviceFunction.SOFTMAX_XENT_BWD_F32, elementwiseGrid((long) rows * classes), l ->
                l.i64(4, rows).i32(5, classes).i32(6, op.sparse() ? 1 : 0));
    }

    private static final class Forward extends CudaKernel {
        private final int rows;
        private final Launch perRow;
        private final Launch mean;
        private final int rowBlock;
        private final int meanBlock;

        Forward(CudaBackend backend, SoftmaxCrossEntropy op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            rows = inputs.get(0).dim(0);
            int classes = inputs.get(0).dim(1);
            rowBlock = warpMultiple(classes, 256);
            meanBlock = warpMultiple(rows, REDUCTION_BLOCK);
            // softmax_xent_fwd_f32(row_loss, probs, logits, labels, rows, classes, sparse); mean_f32(out, src, n)
            perRow = launch(DeviceFunction.SOFTMAX_XENT_FWD_F32).i64(4, rows).i32(5, classes).i32(6, op.sparse() ? 1 : 0);
            mean = launch(DeviceFunction.MEAN_F32).i64(2, rows);
            scratchBytes(4L * rows);
        }

        @Override protected void execute() {
            perRow.pointer(0, scratch).pointer(1, out[1]).pointer(2, in[0]).pointer(3, in[1]).enqueue(rows, rowBlock);
            mean.pointer(0, out[0]).pointer(1, scratch).enqueue(1, meanBlock);
        }
    }
}
