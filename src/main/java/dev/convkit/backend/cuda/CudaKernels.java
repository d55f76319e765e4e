package dev.convkit.backend.cuda;

import dev.convkit.backend.BackendException;
import dev.convkit.backend.CompositeKernels;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.ActivationBwd;
import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.BatchNormBwd;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Cast;
import dev.convkit.ops.Composite;
import dev.convkit.ops.Concat;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Crop2d;
import dev.convkit.ops.DenseOp;
import dev.convkit.ops.DenseBwdData;
import dev.convkit.ops.DenseBwdWeights;
import dev.convkit.ops.DropoutOp;
import dev.convkit.ops.EmaUpdate;
import dev.convkit.ops.FlattenOp;
import dev.convkit.ops.GlobalAvgPool;
import dev.convkit.ops.GlobalAvgPoolBwd;
import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.L2PenaltyBwd;
import dev.convkit.ops.LeakyRelu;
import dev.convkit.ops.Mul;
import dev.convkit.ops.Op;
import dev.convkit.ops.OpVisitor;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Pool2dBwd;
import dev.convkit.ops.RmsPropUpdate;
import dev.convkit.ops.Scale;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.ops.SoftmaxCrossEntropy;
import dev.convkit.ops.SoftmaxCrossEntropyBwd;
import dev.convkit.ops.SplitOp;
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
        return op.accept(new Compilers(b, in, forward));
    }

    /**
     * The dedicated kernels of composite ops, one line each; {@link CudaBackend#fuses} claims exactly these, every
     * other composite arrives as its decomposition.
     */
    static final CompositeKernels<Compilers, Kernel> COMPOSITES = new CompositeKernels<Compilers, Kernel>()
            .with(LeakyRelu.class, (c, o) -> CudaActivation.leaky(c.b(), o, c.in()))
            .with(LeakyRelu.Bwd.class, (c, o) -> CudaActivation.leakyBackward(c.b(), o, c.in()));

    /** One kernel family per primitive op record; composites through {@link #COMPOSITES}. */
    private record Compilers(CudaBackend b, List<TensorSpec> in, Kernel forward) implements OpVisitor<Kernel> {
        @Override public Kernel visit(Conv2d o) { return CudaConv2d.forward(b, o, in); }
        @Override public Kernel visit(Conv2dBwdData o) { return CudaConv2d.backwardData(b, o, in); }
        @Override public Kernel visit(Conv2dBwdFilter o) { return CudaConv2d.backwardFilter(b, o, in); }
        @Override public Kernel visit(BatchNormTrain o) { return CudaBatchNorm.train(b, o, in); }
        @Override public Kernel visit(BatchNormInfer o) { return CudaBatchNorm.infer(b, o, in); }
        @Override public Kernel visit(BatchNormBwd o) { return CudaBatchNorm.backward(b, o, in, forward); }
        @Override public Kernel visit(ActivationOp o) { return CudaActivation.forward(b, o, in); }
        @Override public Kernel visit(ActivationBwd o) { return CudaActivation.backward(b, o, in); }
        @Override public Kernel visit(Pool2d o) { return CudaPool2d.forward(b, o, in); }
        @Override public Kernel visit(Pool2dBwd o) { return CudaPool2d.backward(b, o, in, forward); }
        @Override public Kernel visit(GlobalAvgPool o) { return CudaGlobalAvgPool.forward(b, o, in); }
        @Override public Kernel visit(GlobalAvgPoolBwd o) { return CudaGlobalAvgPool.backward(b, o, in); }
        @Override public Kernel visit(DenseOp o) { return CudaDense.forward(b, o, in); }
        @Override public Kernel visit(DenseBwdData o) { return CudaDense.backwardData(b, o, in); }
        @Override public Kernel visit(DenseBwdWeights o) { return CudaDense.backwardWeights(b, o, in); }
        @Override public Kernel visit(AddOp o) { return CudaElementwise.add(b, o, in); }
        @Override public Kernel visit(Mul o) { return CudaElementwise.mul(b, o, in); }
        @Override public Kernel visit(Scale o) { return CudaElementwise.scale(b, o, in); }
        @Override public Kernel visit(Concat o) { return CudaLayout.concat(b, o, in); }
        @Override public Kernel visit(SplitOp o) { return CudaLayout.split(b, o, in); }
        @Override public Kernel visit(FlattenOp o) { return CudaLayout.flatten(b, o, in); }
        @Override public Kernel visit(Unflatten o) { return CudaLayout.unflatten(b, o, in); }
        @Override public Kernel visit(ZeroPad2d o) { return CudaLayout.zeroPad(b, o, in); }
        @Override public Kernel visit(Crop2d o) { return CudaLayout.crop(b, o, in); }
        @Override public Kernel visit(DropoutOp o) { return CudaDropout.forward(b, o, in); }
        @Override public Kernel visit(SoftmaxCrossEntropy o) { return CudaSoftmaxCrossEntropy.forward(b, o, in); }
        @Override public Kernel visit(SoftmaxCrossEntropyBwd o) { return CudaSoftmaxCrossEntropy.backward(b, o, in); }
        @Override public Kernel visit(L2Penalty o) { return CudaL2Penalty.forward(b, o, in); }
        @Override public Kernel visit(L2PenaltyBwd o) { return CudaL2Penalty.backward(b, o, in); }
        @Override public Kernel visit(Cast o) {
            throw new BackendException(Check.ENGINE, o, in, 0, "the cuda engine has no element-type conversion kernel (f32 programs only)");
        }
        @Override public Kernel visit(SgdUpdate o) { return CudaOptimizers.sgd(b, o, in); }
        @Override public Kernel visit(AdamUpdate o) { return CudaOptimizers.adam(b, o, in); }
        @Override public Kernel visit(RmsPropUpdate o) { return CudaOptimizers.rmsprop(b, o, in); }
        @Override public Kernel visit(EmaUpdate o) { return CudaOptimizers.ema(b, o, in); }

        @Override public Kernel decomposed(Composite op) {
            return COMPOSITES.compile(this, op, () -> new BackendException(Check.ENGINE, op, in, 0, "the cuda engine has "
                    + "no dedicated kernel for this composite op; programs carry its decomposition unless Backend.fuses "
                    + "claims it"));
        }
    }
}
