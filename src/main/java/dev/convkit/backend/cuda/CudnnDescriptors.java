package dev.convkit.backend.cuda;

import static org.bytedeco.cuda.global.cudnn.CUDNN_BATCHNORM_SPATIAL;
import static org.bytedeco.cuda.global.cudnn.CUDNN_CROSS_CORRELATION;
import static org.bytedeco.cuda.global.cudnn.CUDNN_DATA_FLOAT;
import static org.bytedeco.cuda.global.cudnn.CUDNN_FMA_MATH;
import static org.bytedeco.cuda.global.cudnn.CUDNN_PROPAGATE_NAN;
import static org.bytedeco.cuda.global.cudnn.CUDNN_TENSOR_NCHW;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateActivationDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateConvolutionDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateFilterDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnCreateTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDeriveBNTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyActivationDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyConvolutionDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyFilterDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnDestroyTensorDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetActivationDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolution2dDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolutionGroupCount;
import static org.bytedeco.cuda.global.cudnn.cudnnSetConvolutionMathType;
import static org.bytedeco.cuda.global.cudnn.cudnnSetFilter4dDescriptor;
import static org.bytedeco.cuda.global.cudnn.cudnnSetTensor4dDescriptor;

import dev.convkit.backend.BackendException;
import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudnn.cudnnActivationStruct;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;

/**
 * The cuDNN descriptors of one kernel, built once at compile time and destroyed together when the kernel closes.
 * All tensors are f32 NCHW; all convolutions are cross-correlations in full FP32 ({@code CUDNN_FMA_MATH}, so no TF32
 * tensor-core rounding on Ampere and Hopper).
 */
@SuppressWarnings("deprecation")  // cuDNN 9 marks its legacy API deprecated; it is supported throughout 9.x
final class CudnnDescriptors implements AutoCloseable {
    private final Op op;
    private final List<TensorSpec> specs;
    private final List<Runnable> destroyers = new ArrayList<>();

    CudnnDescriptors(Op op, List<TensorSpec> specs) {
        this.op = op;
        this.specs = specs;
    }

    /** A packed NCHW f32 tensor descriptor. */
    cudnnTensorStruct tensor(int n, int c, int h, int w) {
        cudnnTensorStruct d = new cudnnTensorStruct();
        Check.cudnn(cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor", op, specs);
        destroyers.add(() -> cudnnDestroyTensorDescriptor(d));
        Check.cudnn(cudnnSetTensor4dDescriptor(d, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, n, c, h, w),
                "cudnnSetTensor4dDescriptor(" + n + ", " + c + ", " + h + ", " + w + ")", op, specs);
        return d;
    }

    /**
     * A spec as a 4-D descriptor: NCHW as is, [N, C] as [N, C, 1, 1], other ranks padded with trailing ones (only
     * element-wise cuDNN ops see those, where the grouping does not matter).
     */
    cudnnTensorStruct tensor(TensorSpec spec) {
        int[] d = {1, 1, 1, 1};
        int rank = spec.rank();
        if (rank > 4) {
            if (spec.size() > Integer.MAX_VALUE) throw tooLarge(spec);
            d[0] = (int) spec.size();
        } else {
            for (int i = 0; i < rank; i++) d[i] = spec.dim(i);
        }
        return tensor(d[0], d[1], d[2], d[3]);
    }

    /** The per-channel scale/bias/statistics descriptor cuDNN derives for spatial batch norm over {@code x}. */
    cudnnTensorStruct batchNormParams(cudnnTensorStruct x) {
        cudnnTensorStruct d = new cudnnTensorStruct();
        Check.cudnn(cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor", op, specs);
        destroyers.add(() -> cudnnDestroyTensorDescriptor(d));
        Check.cudnn(cudnnDeriveBNTensorDescriptor(d, x, CUDNN_BATCHNORM_SPATIAL), "cudnnDeriveBNTensorDescriptor", op, specs);
        return d;
    }

    /** An OIHW f32 filter descriptor. */
    cudnnFilterStruct filter(int o, int c, int h, int w) {
        cudnnFilterStruct d = new cudnnFilterStruct();
        Check.cudnn(cudnnCreateFilterDescriptor(d), "cudnnCreateFilterDescriptor", op, specs);
        destroyers.add(() -> cudnnDestroyFilterDescriptor(d));
        Check.cudnn(cudnnSetFilter4dDescriptor(d, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, o, c, h, w),
                "cudnnSetFilter4dDescriptor(" + o + ", " + c + ", " + h + ", " + w + ")", op, specs);
        return d;
    }

    /** A 2-D cross-correlation with symmetric padding, FP32 compute, FMA-only math and {@code groups} groups. */
    cudnnConvolutionStruct convolution(int padH, int padW, int strideH, int strideW, int dilationH, int dilationW,
                                       int groups) {
        cudnnConvolutionStruct d = new cudnnConvolutionStruct();
        Check.cudnn(cudnnCreateConvolutionDescriptor(d), "cudnnCreateConvolutionDescriptor", op, specs);
        destroyers.add(() -> cudnnDestroyConvolutionDescriptor(d));
        Check.cudnn(cudnnSetConvolution2dDescriptor(d, padH, padW, strideH, strideW, dilationH, dilationW,
                CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor", op, specs);
        Check.cudnn(cudnnSetConvolutionMathType(d, CUDNN_FMA_MATH), "cudnnSetConvolutionMathType(FMA)", op, specs);
        if (groups > 1) {
            Check.cudnn(cudnnSetConvolutionGroupCount(d, groups), "cudnnSetConvolutionGroupCount(" + groups + ")", op, specs);
        }
        return d;
    }

    /** An activation (CUDNN_ACTIVATION_RELU / SIGMOID / TANH) that propagates NaN. */
    cudnnActivationStruct activation(int mode) { return activation(mode, 0.0); }

    /** An activation with cuDNN's coefficient {@code coef} (the clip of CUDNN_ACTIVATION_CLIPPED_RELU) that propagates NaN. */
    cudnnActivationStruct activation(int mode, double coef) {
        cudnnActivationStruct d = new cudnnActivationStruct();
        Check.cudnn(cudnnCreateActivationDescriptor(d), "cudnnCreateActivationDescriptor", op, specs);
        destroyers.add(() -> cudnnDestroyActivationDescriptor(d));
        Check.cudnn(cudnnSetActivationDescriptor(d, mode, CUDNN_PROPAGATE_NAN, coef), "cudnnSetActivationDescriptor", op, specs);
        return d;
    }

    private BackendException tooLarge(TensorSpec spec) {
        return new BackendException(Check.ENGINE, op, specs, 0, spec + " has more than 2^31 elements, beyond cuDNN's int dimensions");
    }

    @Override public void close() {
        for (int i = destroyers.size() - 1; i >= 0; i--) destroyers.get(i).run();
        destroyers.clear();
    }
}
