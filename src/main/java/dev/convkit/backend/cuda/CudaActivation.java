package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;
import static org.bytedeco.cuda.global.cudnn.CUDNN_ACTIVATION_CLIPPED_RELU;
import static org.bytedeco.cuda.global.cudnn.CUDNN_ACTIVATION_RELU;
import static org.bytedeco.cuda.global.cudnn.CUDNN_ACTIVATION_SIGMOID;
import static org.bytedeco.cuda.global.cudnn.CUDNN_ACTIVATION_TANH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_SOFTMAX_ACCURATE;
import static org.bytedeco.cuda.global.cudnn.CUDNN_SOFTMAX_MODE_INSTANCE;
import static org.bytedeco.cuda.global.cudnn.cudnnActivationForward;
import static org.bytedeco.cuda.global.cudnn.cudnnSoftmaxBackward;
import static org.bytedeco.cuda.global.cudnn.cudnnSoftmaxForward;

import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.ActivationBwd;
import dev.convkit.ops.LeakyRelu;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import org.bytedeco.cuda.cudnn.cudnnActivationStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;

/**
 * Activations: relu, relu6 (CLIPPED_RELU, coef 6), sigmoid and tanh forward with cudnnActivationForward; softmax over axis 1 of [N, K] with
 * cudnnSoftmaxForward (accurate, per instance, run as [N, K, 1, 1]). Backward reads dst, as ActivationBwd states:
 * softmax with cudnnSoftmaxBackward; relu, relu6, sigmoid and tanh with our element-wise kernels, which apply exactly
 * dy·[y &gt; 0], dy·[0 &lt; y &lt; 6], dy·y·(1 − y) and dy·(1 − y²). cudnnActivationBackward takes both x and y and does not say which one
 * each mode reads, and this op keeps only y. Leaky ReLU forward and backward (from src) are one launch each of our
 * kernels.
 */
@SuppressWarnings("deprecation")  // cuDNN 9 marks its legacy API deprecated; it is supported throughout 9.x
final class CudaActivation {
    private CudaActivation() {}

    static CudaKernel forward(CudaBackend b, ActivationOp op, List<TensorSpec> in) { return new Forward(b, op, in); }

    static CudaKernel backward(CudaBackend b, ActivationBwd op, List<TensorSpec> in) {
        if (op.kind() == ActivationOp.Kind.SOFTMAX) return new SoftmaxBackward(b, op, in);
        long n = in.get(0).size();  // <kind>_bwd_f32(dx, y, dy, n)
        return new OneLaunch(b, op, in, gradientKernel(op.kind()), elementwiseGrid(n), l -> l.i64(3, n));
    }

    /** LeakyRelu: leaky_relu_fwd_f32(dst, src, slope, n). */
    static CudaKernel leaky(CudaBackend b, LeakyRelu op, List<TensorSpec> in) {
        long n = in.get(0).size();
        return new OneLaunch(b, op, in, DeviceFunction.LEAKY_RELU_FWD_F32, elementwiseGrid(n),
                l -> l.f32(2, op.slope()).i64(3, n));
    }

    /** LeakyRelu.Bwd from src: leaky_relu_bwd_f32(dx, x, dy, slope, n), 0 at x = 0 as the decomposition. */
    static CudaKernel leakyBackward(CudaBackend b, LeakyRelu.Bwd op, List<TensorSpec> in) {
        long n = in.get(0).size();
        return new OneLaunch(b, op, in, DeviceFunction.LEAKY_RELU_BWD_F32, elementwiseGrid(n),
                l -> l.f32(3, op.slope()).i64(4, n));
    }

    private static DeviceFunction gradientKernel(ActivationOp.Kind kind) {
        switch (kind) {
            case RELU: return DeviceFunction.RELU_BWD_F32;
            case RELU6: return DeviceFunction.RELU6_BWD_F32;
            case SIGMOID: return DeviceFunction.SIGMOID_BWD_F32;
            case TANH: return DeviceFunction.TANH_BWD_F32;
            default: throw new IllegalArgumentException(kind + " has no element-wise gradient kernel");
        }
    }

    private static int cudnnMode(ActivationOp.Kind kind) {
        switch (kind) {
            case RELU: return CUDNN_ACTIVATION_RELU;
            case RELU6: return CUDNN_ACTIVATION_CLIPPED_RELU;
            case SIGMOID: return CUDNN_ACTIVATION_SIGMOID;
            case TANH: return CUDNN_ACTIVATION_TANH;
            default: throw new IllegalArgumentException(kind + " is not a cuDNN element-wise activation");
        }
    }

    private static final class Forward extends CudaKernel {
        private final boolean softmax;
        private final cudnnTensorStruct desc;
        private final cudnnActivationStruct activation;
        private final DevicePointer x = new DevicePointer(), y = new DevicePointer();

        Forward(CudaBackend backend, ActivationOp op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            softmax = op.kind() == ActivationOp.Kind.SOFTMAX;
            CudnnDescriptors set = descriptors();
            desc = set.tensor(inputs.get(0));
            activation = softmax ? null : set.activation(cudnnMode(op.kind()), op.kind() == ActivationOp.Kind.RELU6 ? 6.0 : 0.0);
        }

        @Override protected void execute() {
            if (softmax) {
                Check.cudnn(cudnnSoftmaxForward(backend.cudnn(), CUDNN_SOFTMAX_ACCURATE, CUDNN_SOFTMAX_MODE_INSTANCE,
                        backend.one(), desc, x.at(in[0]), backend.zero(), desc, y.at(out[0])), "cudnnSoftmaxForward", op(), inputs());
            } else {
                Check.cudnn(cudnnActivationForward(backend.cudnn(), activation, backend.one(), desc, x.at(in[0]),
                        backend.zero(), desc, y.at(out[0])), "cudnnActivationForward", op(), inputs());
            }
        }
    }

    /** The softmax gradient from (dst, diffDst). */
    private static final class SoftmaxBackward extends CudaKernel {
        private final cudnnTensorStruct desc;
        private final DevicePointer y = new DevicePointer(), dy = new DevicePointer(), dx = new DevicePointer();

        SoftmaxBackward(CudaBackend backend, ActivationBwd op, List<TensorSpec> inputs) {
            super(backend, op, inputs);
            desc = descriptors().tensor(inputs.get(0));
        }

        @Override protected void execute() {
            Check.cudnn(cudnnSoftmaxBackward(backend.cudnn(), CUDNN_SOFTMAX_ACCURATE, CUDNN_SOFTMAX_MODE_INSTANCE,
                    backend.one(), desc, y.at(in[0]), desc, dy.at(in[1]), backend.zero(), desc, dx.at(out[0])),
                    "cudnnSoftmaxBackward", op(), inputs());
        }
    }
}
