package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * One primitive of the closed op catalogue. A record per op holds its attributes, its output-shape rule
 * ({@link #outputs}) and, for forward ops, its gradient rule ({@link Differentiable#backward}), so engines
 * implement kernels, never meaning.
 *
 * <p>Conventions shared by every op: 4-D tensors are logical NCHW, convolution weights are OIHW, dense weights
 * are [in, out] (as Keras). Tensors are f32, except in mixed-precision programs: there activations and their
 * gradients are bf16, and each op's outputs take the element type of its activation input, while parameters,
 * parameter gradients, batch statistics and losses stay f32 ({@link Cast} converts between the two). Inputs
 * listed by {@link #inPlaceInputs()} are read and written by the kernel (batch-norm running statistics, optimizer
 * parameters and state); all other inputs are read-only and outputs are fully overwritten.
 *
 * <p>Sub-families: {@link OptimizerUpdate} (the optimizer steps; {@link EmaUpdate} averages their results) and
 * {@link Composite} (ops defined by a decomposition into others, which engines may run with a dedicated kernel).
 */
public sealed interface Op permits Conv2d, Conv2dBwdData, Conv2dBwdFilter, BatchNormTrain, BatchNormInfer,
        BatchNormBwd, ActivationOp, ActivationBwd, Pool2d, Pool2dBwd, GlobalAvgPool, GlobalAvgPoolBwd, DenseOp,
        DenseBwdData, DenseBwdWeights, AddOp, Mul, Scale, Concat, SplitOp, FlattenOp, Unflatten, ZeroPad2d, Crop2d,
        DropoutOp, SoftmaxCrossEntropy, SoftmaxCrossEntropyBwd, L2Penalty, L2PenaltyBwd, Cast, OptimizerUpdate, EmaUpdate, Composite {

    /** Short name used in messages and plans, e.g. {@code conv2d_bwd_data}. */
    String name();

    /**
     * The output specs for these input specs. Validates arity, ranks, positive sizes and matching dimensions and
     * throws {@link InvalidOpException} naming the op, the input specs and the expectation otherwise.
     */
    List<TensorSpec> outputs(List<TensorSpec> inputs);

    /** Calls the visitor's method for this record: the one dispatch over the catalogue ({@link OpVisitor}). */
    <R> R accept(OpVisitor<R> visitor);

    /** Indices of inputs this op updates in place. */
    default int[] inPlaceInputs() { return new int[0]; }
}
