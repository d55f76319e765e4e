package dev.convkit.backend.dnnl;

import dev.convkit.backend.BackendException;
import dev.convkit.backend.CompositeKernels;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.ActivationBwd;
import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.BatchNormBwd;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormReluBwd;
import dev.convkit.ops.BatchNormReluInfer;
import dev.convkit.ops.BatchNormReluTrain;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Composite;
import dev.convkit.ops.Cast;
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
import dev.convkit.ops.InvalidOpException;
import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.LeakyRelu;
import dev.convkit.ops.L2PenaltyBwd;
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
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Turns an op and its input specs into a {@link DnnlKernel}: validation, then the op family's kernel definition. */
final class DnnlKernels {
    private DnnlKernels() {}

    /**
     * Validates with the op's shape rule ({@link InvalidOpException}), rejects dtypes and layouts the engine cannot
     * run ({@link BackendException}), then builds the kernel; on failure nothing native is left behind.
     */
    static Kernel compile(DnnlBackend backend, Op op, List<TensorSpec> inputs, Kernel forward) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(inputs, "inputs");
        List<TensorSpec> in = new ArrayList<>(inputs);
        for (int i = 0; i < in.size(); i++) {
            if (in.get(i) == null) throw new NullPointerException(op.name() + ": input spec " + i + " is null");
        }
        List<TensorSpec> logical = op.outputs(in);
        DnnlDescs.requireSupported(op, in, backend.formats());
        List<TensorSpec> outputs = DnnlLayoutPolicy.outputs(op, in, logical, backend.formats());
        List<TensorSpec> all = new ArrayList<>(in);
        all.addAll(outputs);
        DnnlBf16.require(all, op.name() + " " + in);
        return build(new DnnlKernelBuilder(backend, op, List.copyOf(in), List.copyOf(outputs)), forward);
    }

    /**
     * A kernel copying a tensor between two layouts (canonical ↔ blocked, or a plain copy) by a reorder primitive,
     * converting the element type on the way when the two specs differ in it.
     */
    static Kernel reorder(DnnlBackend backend, TensorSpec from, TensorSpec to) {
        // The catalogue has no reorder op; dst = 1 · src is exactly what this kernel computes.
        Op identity = new Scale(1f);
        List<TensorSpec> in = List.of(from);
        if (!from.shape().equals(to.shape())) {
            throw new InvalidOpException(identity, in, "a reorder keeps the logical shape, but the target is " + to);
        }
        DnnlDescs.requireSupported(identity, List.of(from, to), backend.formats());
        DnnlBf16.require(List.of(from, to), "reorder " + from + " → " + to);
        DnnlKernelBuilder b = new DnnlKernelBuilder(backend, identity, in, List.of(to));
        try {
            b.reorder(b.src(0), b.dst(0));
            return b.build();
        } catch (RuntimeException | Error e) {
            abandon(b, e);
            throw e;
        }
    }

    private static Kernel build(DnnlKernelBuilder b, Kernel forward) {
        try {
            define(b, forward);
            return b.build();
        } catch (RuntimeException | Error e) {
            abandon(b, e);
            throw e;
        }
    }

    private static void abandon(DnnlKernelBuilder b, Throwable cause) {
        try {
            b.abandon();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Ops run by host loops over f32 values (dropout's mask, the loss, the l2 penalty, the optimizers): mixed-precision
     * programs feed them f32, and a bf16 input here would be misread, so it is refused by name.
     */
    private static void requireF32HostLoop(DnnlKernelBuilder b) {
        Op op = b.op;
        boolean hostLoop = op instanceof DropoutOp || op instanceof SoftmaxCrossEntropy || op instanceof SoftmaxCrossEntropyBwd
                || op instanceof L2Penalty || op instanceof L2PenaltyBwd || op instanceof SgdUpdate || op instanceof AdamUpdate
                || op instanceof RmsPropUpdate || op instanceof EmaUpdate;
        if (!hostLoop) return;
        for (int i = 0; i < b.inputs.size(); i++) {
            if (b.inputs.get(i).dtype() != DType.F32) throw new BackendException(DnnlStatus.ENGINE, op, b.inputs, 0, "input "
                    + i + " is " + b.inputs.get(i).dtype().lower() + "; the cpu engine runs " + op.name()
                    + " as a host loop over f32 (cast the input to f32 first)");
        }
    }

    private static void define(DnnlKernelBuilder b, Kernel forward) {
        requireF32HostLoop(b);
        b.op.accept(new Definitions(b, forward));
    }

    /**
     * The dedicated kernels of composite ops, one line each; {@link DnnlBackend#fuses} claims these (the BN+ReLU ones
     * unless fusion is turned off), every other composite arrives as its decomposition.
     */
    static final CompositeKernels<Definitions, Void> COMPOSITES = new CompositeKernels<Definitions, Void>()
            .with(BatchNormReluTrain.class, (d, o) -> { DnnlBatchNorm.trainRelu(d.b(), o); return null; })
            .with(BatchNormReluBwd.class, (d, o) -> { DnnlBatchNorm.backwardRelu(d.b(), o, d.forward()); return null; })
            .with(BatchNormReluInfer.class, (d, o) -> { DnnlBatchNorm.inferRelu(d.b(), o); return null; })
            .with(LeakyRelu.class, (d, o) -> { DnnlActivation.leaky(d.b(), o); return null; })
            .with(LeakyRelu.Bwd.class, (d, o) -> { DnnlActivation.leakyBackward(d.b(), o); return null; });

    /** One kernel definition per primitive op record; composites through {@link #COMPOSITES}. */
    private record Definitions(DnnlKernelBuilder b, Kernel forward) implements OpVisitor<Void> {
        @Override public Void visit(Conv2d o) { DnnlConv2d.forward(b, o); return null; }
        @Override public Void visit(Conv2dBwdData o) { DnnlConv2d.backwardData(b, o); return null; }
        @Override public Void visit(Conv2dBwdFilter o) { DnnlConv2d.backwardFilter(b, o); return null; }
        @Override public Void visit(BatchNormTrain o) { DnnlBatchNorm.train(b, o); return null; }
        @Override public Void visit(BatchNormInfer o) { DnnlBatchNorm.infer(b, o); return null; }
        @Override public Void visit(BatchNormBwd o) { DnnlBatchNorm.backward(b, o); return null; }
        @Override public Void visit(ActivationOp o) { DnnlActivation.forward(b, o); return null; }
        @Override public Void visit(ActivationBwd o) { DnnlActivation.backward(b, o); return null; }
        @Override public Void visit(Pool2d o) { DnnlPool2d.forward(b, o); return null; }
        @Override public Void visit(Pool2dBwd o) { DnnlPool2d.backward(b, o, forward); return null; }
        @Override public Void visit(GlobalAvgPool o) { DnnlGlobalAvgPool.forward(b, o); return null; }
        @Override public Void visit(GlobalAvgPoolBwd o) { DnnlGlobalAvgPool.backward(b, o); return null; }
        @Override public Void visit(DenseOp o) { DnnlDense.forward(b, o); return null; }
        @Override public Void visit(DenseBwdData o) { DnnlDense.backwardData(b, o); return null; }
        @Override public Void visit(DenseBwdWeights o) { DnnlDense.backwardWeights(b, o); return null; }
        @Override public Void visit(AddOp o) { DnnlElementwise.add(b, o); return null; }
        @Override public Void visit(Mul o) { DnnlElementwise.mul(b, o); return null; }
        @Override public Void visit(Scale o) { DnnlElementwise.scale(b, o); return null; }
        @Override public Void visit(Concat o) { DnnlConcat.concat(b, o); return null; }
        @Override public Void visit(SplitOp o) { DnnlConcat.split(b, o); return null; }
        @Override public Void visit(FlattenOp o) { DnnlFlatten.flatten(b, o); return null; }
        @Override public Void visit(Unflatten o) { DnnlFlatten.unflatten(b, o); return null; }
        @Override public Void visit(ZeroPad2d o) { DnnlPad2d.pad(b, o); return null; }
        @Override public Void visit(Crop2d o) { DnnlPad2d.crop(b, o); return null; }
        @Override public Void visit(DropoutOp o) { DnnlDropout.forward(b, o); return null; }
        @Override public Void visit(SoftmaxCrossEntropy o) { DnnlSoftmaxCrossEntropy.forward(b, o); return null; }
        @Override public Void visit(SoftmaxCrossEntropyBwd o) { DnnlSoftmaxCrossEntropy.backward(b, o); return null; }
        @Override public Void visit(L2Penalty o) { DnnlL2Penalty.forward(b, o); return null; }
        @Override public Void visit(L2PenaltyBwd o) { DnnlL2Penalty.backward(b, o); return null; }
        @Override public Void visit(Cast o) { DnnlCast.cast(b, o); return null; }
        @Override public Void visit(SgdUpdate o) { DnnlOptimizers.update(b, o); return null; }
        @Override public Void visit(EmaUpdate o) { DnnlOptimizers.ema(b, o); return null; }
        @Override public Void visit(AdamUpdate o) { DnnlOptimizers.update(b, o); return null; }
        @Override public Void visit(RmsPropUpdate o) { DnnlOptimizers.update(b, o); return null; }

        @Override public Void decomposed(Composite o) {
            return COMPOSITES.compile(this, o, () -> new BackendException(DnnlStatus.ENGINE, o, b.inputs, 0, "the cpu "
                    + "engine has no dedicated kernel for this composite op; programs carry its decomposition unless "
                    + "Backend.fuses claims it"));
        }
    }
}
