package dev.convkit.backend.cuda;

import dev.convkit.backend.BackendException;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.Activation;
import dev.convkit.ops.ActivationBwd;
import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.Add;
import dev.convkit.ops.BatchNormBwd;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Cast;
import dev.convkit.ops.Concat;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Crop2d;
import dev.convkit.ops.Dense;
import dev.convkit.ops.DenseBwdData;
import dev.convkit.ops.DenseBwdWeights;
import dev.convkit.ops.Dropout;
import dev.convkit.ops.Flatten;
import dev.convkit.ops.GlobalAvgPool;
import dev.convkit.ops.GlobalAvgPoolBwd;
import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.L2PenaltyBwd;
import dev.convkit.ops.Mul;
import dev.convkit.ops.Op;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Pool2dBwd;
import dev.convkit.ops.RmsPropUpdate;
import dev.convkit.ops.Scale;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.ops.SoftmaxCrossEntropy;
import dev.convkit.ops.SoftmaxCrossEntropyBwd;
import dev.convkit.ops.Split;
import dev.convkit.ops.Unflatten;
import dev.convkit.ops.ZeroPad2d;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Compiles each op of the closed catalogue into the kernel of its family. */
final class CudaKernels {
    private CudaKernels() {}

    static Kernel compile(CudaBackend b, Op op, List<TensorSpec> in, Kernel forward) {
        List<TensorSpec> out = op.outputs(in);  // the op's shape rule first: InvalidOpException before any native work
        if (op instanceof Cast || out.stream().anyMatch(s -> s.dtype() != DType.F32)) {
            throw new BackendException(Check.ENGINE, op, in, 0, "the cuda engine runs f32 programs only: mixed precision"
                    + " (bf16) is implemented on the cpu engine and has no cuDNN kernels here yet; use precision fp32"
                    + " with the cuda engine, or --engine cpu for bf16");
        }
        for (int i = 0; i < in.size(); i++) {
            TensorSpec s = in.get(i);
            if (s.dtype() != DType.F32 || s.layout() != Layout.CANONICAL) {
                throw new BackendException(Check.ENGINE, op, in, 0, "input " + i + " is " + s + "; the cuda engine runs "
                        + "f32 tensors in canonical layout only");
            }
        }
        if (op instanceof Conv2d o) return CudaConv2d.forward(b, o, in);
        if (op instanceof Conv2dBwdData o) return CudaConv2d.backwardData(b, o, in);
        if (op instanceof Conv2dBwdFilter o) return CudaConv2d.backwardFilter(b, o, in);
        if (op instanceof BatchNormTrain o) return CudaBatchNorm.train(b, o, in);
        if (op instanceof BatchNormInfer o) return CudaBatchNorm.infer(b, o, in);
        if (op instanceof BatchNormBwd o) return CudaBatchNorm.backward(b, o, in, forward);
        if (op instanceof Activation o) return CudaActivation.forward(b, o, in);
        if (op instanceof ActivationBwd o) return CudaActivation.backward(b, o, in);
        if (op instanceof Pool2d o) return CudaPool2d.forward(b, o, in);
        if (op instanceof Pool2dBwd o) return CudaPool2d.backward(b, o, in, forward);
        if (op instanceof GlobalAvgPool o) return CudaGlobalAvgPool.forward(b, o, in);
        if (op instanceof GlobalAvgPoolBwd o) return CudaGlobalAvgPool.backward(b, o, in);
        if (op instanceof Dense o) return CudaDense.forward(b, o, in);
        if (op instanceof DenseBwdData o) return CudaDense.backwardData(b, o, in);
        if (op instanceof DenseBwdWeights o) return CudaDense.backwardWeights(b, o, in);
        if (op instanceof Add o) return CudaElementwise.add(b, o, in);
        if (op instanceof Mul o) return CudaElementwise.mul(b, o, in);
        if (op instanceof Scale o) return CudaElementwise.scale(b, o, in);
        if (op instanceof Concat o) return CudaLayout.concat(b, o, in);
        if (op instanceof Split o) return CudaLayout.split(b, o, in);
        if (op instanceof Flatten o) return CudaLayout.flatten(b, o, in);
        if (op instanceof Unflatten o) return CudaLayout.unflatten(b, o, in);
        if (op instanceof ZeroPad2d o) return CudaLayout.zeroPad(b, o, in);
        if (op instanceof Crop2d o) return CudaLayout.crop(b, o, in);
        if (op instanceof Dropout o) return CudaDropout.forward(b, o, in);
        if (op instanceof SoftmaxCrossEntropy o) return CudaSoftmaxCrossEntropy.forward(b, o, in);
        if (op instanceof SoftmaxCrossEntropyBwd o) return CudaSoftmaxCrossEntropy.backward(b, o, in);
        if (op instanceof L2Penalty o) return CudaL2Penalty.forward(b, o, in);
        if (op instanceof L2PenaltyBwd o) return CudaL2Penalty.backward(b, o, in);
        if (op instanceof SgdUpdate o) return CudaOptimizers.sgd(b, o, in);
        if (op instanceof AdamUpdate o) return CudaOptimizers.adam(b, o, in);
        if (op instanceof RmsPropUpdate o) return CudaOptimizers.rmsprop(b, o, in);
        throw new BackendException(Check.ENGINE, op, in, 0, "no cuda kernel for op " + op.name());
    }
}
