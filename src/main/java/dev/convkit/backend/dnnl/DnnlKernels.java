package dev.convkit.backend.dnnl;

import dev.convkit.backend.BackendException;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.Activation;
import dev.convkit.ops.ActivationBwd;
import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.Add;
import dev.convkit.ops.BatchNormBwd;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormReluBwd;
import dev.convkit.ops.BatchNormReluInfer;
import dev.convkit.ops.BatchNormReluTrain;
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
import dev.convkit.ops.InvalidOpException;
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
        DnnlDescs.requireSupported(op, in, backend.blocked());
        List<TensorSpec> outputs = DnnlLayoutPolicy.outputs(op, in, logical, backend.blocked());
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
        DnnlDescs.requireSupported(identity, List.of(from, to), backend.blocked());
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
        boolean hostLoop = op instanceof Dropout || op instanceof SoftmaxCrossEntropy || op instanceof SoftmaxCrossEntropyBwd
                || op instanceof L2Penalty || op instanceof L2PenaltyBwd || op instanceof SgdUpdate || op instanceof AdamUpdate
                || op instanceof RmsPropUpdate;
        if (!hostLoop) return;
        for (int i = 0; i < b.inputs.size(); i++) {
            if (b.inputs.get(i).dtype() != DType.F32) throw new BackendException(DnnlStatus.ENGINE, op, b.inputs, 0, "input "
                    + i + " is " + b.inputs.get(i).dtype().lower() + "; the cpu engine runs " + op.name()
                    + " as a host loop over f32 (cast the input to f32 first)");
        }
    }

    private static void define(DnnlKernelBuilder b, Kernel forward) {
        Op op = b.op;
        requireF32HostLoop(b);
        if (op instanceof Conv2d o) DnnlConv2d.forward(b, o);
        else if (op instanceof Conv2dBwdData o) DnnlConv2d.backwardData(b, o);
        else if (op instanceof Conv2dBwdFilter o) DnnlConv2d.backwardFilter(b, o);
        else if (op instanceof BatchNormTrain o) DnnlBatchNorm.train(b, o);
        else if (op instanceof BatchNormInfer o) DnnlBatchNorm.infer(b, o);
        else if (op instanceof BatchNormBwd o) DnnlBatchNorm.backward(b, o);
        else if (op instanceof BatchNormReluTrain o) DnnlBatchNorm.trainRelu(b, o);
        else if (op instanceof BatchNormReluBwd o) DnnlBatchNorm.backwardRelu(b, o, forward);
        else if (op instanceof BatchNormReluInfer o) DnnlBatchNorm.inferRelu(b, o);
        else if (op instanceof Activation o) DnnlActivation.forward(b, o);
        else if (op instanceof ActivationBwd o) DnnlActivation.backward(b, o);
        else if (op instanceof Pool2d o) DnnlPool2d.forward(b, o);
        else if (op instanceof Pool2dBwd o) DnnlPool2d.backward(b, o, forward);
        else if (op instanceof GlobalAvgPool o) DnnlGlobalAvgPool.forward(b, o);
        else if (op instanceof GlobalAvgPoolBwd o) DnnlGlobalAvgPool.backward(b, o);
        else if (op instanceof Dense o) DnnlDense.forward(b, o);
        else if (op instanceof DenseBwdData o) DnnlDense.backwardData(b, o);
        else if (op instanceof DenseBwdWeights o) DnnlDense.backwardWeights(b, o);
        else if (op instanceof Add o) DnnlElementwise.add(b, o);
        else if (op instanceof Mul o) DnnlElementwise.mul(b, o);
        else if (op instanceof Scale o) DnnlElementwise.scale(b, o);
        else if (op instanceof Concat o) DnnlConcat.concat(b, o);
        else if (op instanceof Split o) DnnlConcat.split(b, o);
        else if (op instanceof Flatten o) DnnlFlatten.flatten(b, o);
        else if (op instanceof Unflatten o) DnnlFlatten.unflatten(b, o);
        else if (op instanceof ZeroPad2d o) DnnlPad2d.pad(b, o);
        else if (op instanceof Crop2d o) DnnlPad2d.crop(b, o);
        else if (op instanceof Dropout o) DnnlDropout.forward(b, o);
        else if (op instanceof SoftmaxCrossEntropy o) DnnlSoftmaxCrossEntropy.forward(b, o);
        else if (op instanceof SoftmaxCrossEntropyBwd o) DnnlSoftmaxCrossEntropy.backward(b, o);
        else if (op instanceof L2Penalty o) DnnlL2Penalty.forward(b, o);
        else if (op instanceof L2PenaltyBwd o) DnnlL2Penalty.backward(b, o);
        else if (op instanceof SgdUpdate o) DnnlOptimizers.sgd(b, o);
        else if (op instanceof AdamUpdate o) DnnlOptimizers.adam(b, o);
        else if (op instanceof RmsPropUpdate o) DnnlOptimizers.rmsprop(b, o);
        else if (op instanceof Cast o) DnnlCast.cast(b, o);
        else throw new BackendException(DnnlStatus.ENGINE, op, b.inputs, 0, "the cpu engine has no kernel for this op");
    }
}
