package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.KernelGeometry.BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.align;
import static dev.convkit.backend.cuda.KernelGeometry.gridFor;
import static org.bytedeco.cuda.global.cudnn.CUDNN_BATCHNORM_SPATIAL;
import static org.bytedeco.cuda.global.cudnn.cudnnBatchNormalizationBackward;
import static org.bytedeco.cuda.global.cudnn.cudnnBatchNormalizationForwardInference;
import static org.bytedeco.cuda.global.cudnn.cudnnBatchNormalizationForwardTraining;

import dev.convkit.backend.Kernel;
import dev.convkit.ops.BatchNormBwd;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;

/**
 * Batch normalisation on cuDNN's spatial mode (per channel over N, H, W; [N, C] is run as [N, C, 1, 1]).
 *
 * <p>Training: cuDNN normalises and saves the batch mean and the inverse standard deviation
 * {@code 1 / sqrt(var + eps)}: those two vectors are this kernel's saved memory ([mean | 256-aligned | inv std]), and
 * bn_stats_from_saved_f32 converts them into the op's (mean, biased var) outputs, {@code var = 1 / invStd^2 - eps}
 * in double. cuDNN is given no running statistics (both pointers null, as its API allows): its update unbiases the
 * variance by m / (m - 1), which writes Inf/NaN when a channel has m = 1 value (batch 1 after a Dense). Instead
 * bn_update_running_f32 applies Keras's {@code running = momentum * running + (1 - momentum) * batch} from the op's
 * outputs with the factor m / max(m - 1, 1), as BatchNormTrain, the reference and the cpu engine do. BatchNormBwd compiled with this kernel as its hint hands the
 * saved vectors straight to cuDNN; otherwise it derives the inverse std from its var input into scratch.
 */
@SuppressWarnings("deprecation")  // cuDNN 9 marks its legacy API deprecated; it is supported throughout 9.x
final class CudaBatchNorm {
    private CudaBatchNorm() {}

    static CudaKernel train(CudaBackend b, BatchNormTrain op, List<TensorSpec> in) { return new Train(b, op, in); }

    static CudaKernel infer(CudaBackend b, BatchNormInfer op, List<TensorSpec> in) { return new Infer(b, op, in); }

    static CudaKernel backward(CudaBackend b, BatchNormBwd op, List<TensorSpec> in, Kernel forward) {
        return new Backward(b, op, in, forward);
    }

    /** Bytes of [mean | inv std] with the second vector 256-aligned. */
    static long statsBytes(int channels) { return align(4L * channels) + 4L * channels; }

    private static cudnnTensorStruct srcDescriptor(CudnnDescriptors set, TensorSpec x) {
        return x.rank() == 4 ? set.tensor(x.dim(0), x.dim(1), x.dim(2), x.dim(3)) : set.tensor(x.dim(0), x.dim(1), 1, 1);
    }

    /** BatchNormTrain: (src, gamma, beta, runningMean, runningVar) → (dst, mean, var), running stats in place. */
    static final class Train extends CudaKernel {
        private final int channels;
        private final float epsilon;
        private final double factor;
        private final cudnnTensorStruct x;
        private final cudnnTensorStruct params;
        private final Launch stats;
        private final Launch running;
        private final DevicePointer src = new DevicePointer(), dst = new DevicePointer(), gamma = new DevicePointer(),
                beta = new DevicePointer(), saveMean = new DevicePointer(), saveInvStd = new DevicePointer();

        Train(CudaBackend backend, BatchNormTrain op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            channels = inputs.get(0).dim(1);
            epsilon = op.epsilon();
            factor = 1.0 - op.momentum();
            CudnnDescriptors set = descriptors();
            x = srcDescriptor(set, inputs.get(0));
            params = set.batchNormParams(x);
            stats = launch(DeviceFunction.BN_STATS_FROM_SAVED_F32).f32(4, epsilon).i32(5, channels);
            long count = inputs.get(0).size() / channels;  // values per channel: N·H·W
            running = launch(DeviceFunction.BN_UPDATE_RUNNING_F32).f32(4, op.momentum()).i64(5, count).i32(6, channels);
            savedBytes(statsBytes(channels));
            scratchBytes(statsBytes(channels));  // used only when run without a saved buffer (forward-only use)
        }

        int channels() { return channels; }

        float epsilon() { return epsilon; }

        @Override protected void execute() {
            long stash = saved != 0 ? saved : scratch;
            long invStd = stash + align(4L * channels);
            // Running statistics null (see the class comment): the factor is unused, but passed valid all the same.
            Check.cudnn(cudnnBatchNormalizationForwardTraining(backend.cudnn(), CUDNN_BATCHNORM_SPATIAL, backend.one(),
                    backend.zero(), x, src.at(in[0]), x, dst.at(out[0]), params, gamma.at(in[1]), beta.at(in[2]), factor,
                    null, null, epsilon, saveMean.at(stash), saveInvStd.at(invStd)),
                    "cudnnBatchNormalizationForwardTraining", op(), inputs());
            stats.pointer(0, out[1]).pointer(1, out[2]).pointer(2, stash).pointer(3, invStd)
                    .enqueue(gridFor(channels, BLOCK), BLOCK);
            running.pointer(0, in[3]).pointer(1, in[4]).pointer(2, out[1]).pointer(3, out[2])
                    .enqueue(gridFor(channels, BLOCK), BLOCK);
        }
    }

    /** BatchNormInfer: dst = gamma * (src - mean) / sqrt(var + eps) + beta with the given statistics. */
    private static final class Infer extends CudaKernel {
        private final float epsilon;
        private final cudnnTensorStruct x;
        private final cudnnTensorStruct params;
        private final DevicePointer src = new DevicePointer(), dst = new DevicePointer(), gamma = new DevicePointer(),
                beta = new DevicePointer(), mean = new DevicePointer(), var = new DevicePointer();

        Infer(CudaBackend backend, BatchNormInfer op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            epsilon = op.epsilon();
            CudnnDescriptors set = descriptors();
            x = srcDescriptor(set, inputs.get(0));
            params = set.batchNormParams(x);
        }

        @Override protected void execute() {
            Check.cudnn(cudnnBatchNormalizationForwardInference(backend.cudnn(), CUDNN_BATCHNORM_SPATIAL, backend.one(),
                    backend.zero(), x, src.at(in[0]), x, dst.at(out[0]), params, gamma.at(in[1]), beta.at(in[2]),
                    mean.at(in[3]), var.at(in[4]), epsilon), "cudnnBatchNormalizationForwardInference", op(), inputs());
        }
    }

    /** BatchNormBwd: (src, diffDst, gamma, mean, var) → (diffSrc, diffGamma, diffBeta). */
    private static final class Backward extends CudaKernel {
        private final int channels;
        private final float epsilon;
        private final boolean hinted;
        private final cudnnTensorStruct x;
        private final cudnnTensorStruct params;
        private final Launch invStd;
        private final DevicePointer src = new DevicePointer(), dy = new DevicePointer(), dx = new DevicePointer(),
                gamma = new DevicePointer(), dGamma = new DevicePointer(), dBeta = new DevicePointer(),
                mean = new DevicePointer(), inv = new DevicePointer();

        Backward(CudaBackend backend, BatchNormBwd op, List<TensorSpec> inputs, Kernel forward) {
            super(backend, op, inputs);
            channels = inputs.get(0).dim(1);
            epsilon = op.epsilon();
            hinted = forward instanceof Train t && t.channels() == channels && t.epsilon() == epsilon;
            CudnnDescriptors set = descriptors();
            x = srcDescriptor(set, inputs.get(0));
            params = set.batchNormParams(x);
            invStd = launch(DeviceFunction.BN_INV_STD_FROM_VAR_F32).f32(2, epsilon).i32(3, channels);
            if (hinted) savedBytes(statsBytes(channels));
            scratchBytes(4L * channels);
        }

        @Override protected void execute() {
            long meanAt, invAt;
            if (hinted && saved != 0) {
                meanAt = saved;
                invAt = saved + align(4L * channels);
            } else {
                invStd.pointer(0, scratch).pointer(1, in[4]).enqueue(gridFor(channels, BLOCK), BLOCK);
                meanAt = in[3];
                invAt = scratch;
            }
            Check.cudnn(cudnnBatchNormalizationBackward(backend.cudnn(), CUDNN_BATCHNORM_SPATIAL, backend.one(),
                    backend.zero(), backend.one(), backend.zero(), x, src.at(in[0]), x, dy.at(in[1]), x, dx.at(out[0]),
                    params, gamma.at(in[2]), dGamma.at(out[1]), dBeta.at(out[2]), epsilon, mean.at(meanAt), inv.at(invAt)),
                    "cudnnBatchNormalizationBackward", op(), inputs());
        }
    }
}
