package dev.convkit.testing;

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
import dev.convkit.ops.Concat;
import dev.convkit.ops.Cast;
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
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * The float64 oracle of every op in the catalogue: plain loops written for clarity, not speed. Tensors are flat
 * row-major (canonical layout) double arrays. Float attributes of the op records (epsilon, momentum, alpha, λ, β…)
 * are widened to double as they are, so an f32 engine and this reference compute the same function.
 */
public final class ReferenceOps {
    private ReferenceOps() {}

    /**
     * Runs {@code op} on {@code inputs} (one flat array per input spec) and returns its outputs in the op's output
     * order. Inputs listed in {@link Op#inPlaceInputs()} (batch-norm running statistics, optimizer parameters and
     * state) are updated in the given arrays; all others are left untouched.
     *
     * @throws dev.convkit.ops.InvalidOpException when the op's shape rule rejects the specs
     * @throws IllegalArgumentException when an array's length disagrees with its spec, or a value is invalid
     *         (a sparse label outside [0, K), a non-integer dropout counter or optimizer step)
     */
    public static double[][] run(Op op, List<TensorSpec> inputSpecs, double[][] inputs) {
        List<TensorSpec> outputs = op.outputs(inputSpecs);
        checkLengths(op, inputSpecs, inputs);
        double[][] result = dispatch(op, inputSpecs, inputs);
        if (result.length != outputs.size()) {
            throw new IllegalStateException(op.name() + ": reference produced " + result.length + " outputs, the op declares "
                    + outputs.size());
        }
        for (int j = 0; j < result.length; j++) {
            if (result[j].length != outputs.get(j).size()) {
                throw new IllegalStateException(op.name() + ": reference output " + j + " has " + result[j].length
                        + " values, the op declares " + outputs.get(j));
            }
        }
        return result;
    }

    private static double[][] dispatch(Op op, List<TensorSpec> specs, double[][] in) {
        Shape s0 = specs.get(0).shape();
        if (op instanceof Cast) return one(in[0].clone());   // value-preserving in float64; rounding is the engine's
        if (op instanceof Conv2d c) {
            return one(RefConv.forward(c, s0, specs.get(1).shape(), in[0], in[1], c.bias() ? in[2] : null));
        }
        if (op instanceof Conv2dBwdData c) return one(RefConv.backwardData(c, specs.get(1).shape(), in[0], in[1]));
        if (op instanceof Conv2dBwdFilter c) return RefConv.backwardFilter(c, s0, in[0], in[1]);
        if (op instanceof BatchNormTrain b) {
            return RefNorm.train(s0, b.epsilon(), b.momentum(), in[0], in[1], in[2], in[3], in[4]);
        }
        if (op instanceof BatchNormInfer b) return one(RefNorm.infer(s0, b.epsilon(), in[0], in[1], in[2], in[3], in[4]));
        if (op instanceof BatchNormBwd b) return RefNorm.backward(s0, b.epsilon(), in[0], in[1], in[2], in[3], in[4]);
        if (op instanceof BatchNormReluTrain b) {   // BN, then ReLU on dst
            double[][] r = RefNorm.train(s0, b.epsilon(), b.momentum(), in[0], in[1], in[2], in[3], in[4]);
            r[0] = RefElementwise.activation(Activation.Kind.RELU, r[0], lastDim(s0));
            return r;
        }
        if (op instanceof BatchNormReluInfer b) {
            double[] y = RefNorm.infer(s0, b.epsilon(), in[0], in[1], in[2], in[3], in[4]);
            return one(RefElementwise.activation(Activation.Kind.RELU, y, lastDim(s0)));
        }
        if (op instanceof BatchNormReluBwd b) {     // BN backward of diffDst masked by dst > 0
            double[] masked = new double[in[2].length];
            for (int i = 0; i < masked.length; i++) masked[i] = in[1][i] > 0 ? in[2][i] : 0;
            return RefNorm.backward(s0, b.epsilon(), in[0], masked, in[3], in[4], in[5]);
        }
        if (op instanceof Activation a) return one(RefElementwise.activation(a.kind(), in[0], lastDim(s0)));
        if (op instanceof ActivationBwd a) {
            return one(RefElementwise.activationBackward(a.kind(), in[0], in[1], lastDim(s0)));
        }
        if (op instanceof Pool2d p) return one(RefPool.forward(p.kind(), p.window(), s0, in[0]));
        if (op instanceof Pool2dBwd p) return one(RefPool.backward(p.kind(), p.window(), s0, in[0], in[2]));
        if (op instanceof GlobalAvgPool) return one(RefPool.globalAverage(s0, in[0]));
        if (op instanceof GlobalAvgPoolBwd g) return one(RefPool.globalAverageBackward(g.srcShape(), in[0]));
        if (op instanceof Dense d) {
            return one(RefConv.dense(s0.dim(0), s0.dim(1), specs.get(1).dim(1), in[0], in[1], d.bias() ? in[2] : null));
        }
        if (op instanceof DenseBwdData) {
            return one(RefConv.denseBackwardData(s0.dim(0), specs.get(1).dim(0), s0.dim(1), in[0], in[1]));
        }
        if (op instanceof DenseBwdWeights d) {
            return RefConv.denseBackwardWeights(s0.dim(0), s0.dim(1), specs.get(1).dim(1), in[0], in[1], d.bias());
        }
        if (op instanceof Add) return one(RefElementwise.add(in));
        if (op instanceof Mul) return one(RefElementwise.mul(in[0], in[1]));
        if (op instanceof Scale s) return one(RefElementwise.scale(s.alpha(), in[0]));
        if (op instanceof Concat) {
            Shape[] shapes = specs.stream().map(TensorSpec::shape).toArray(Shape[]::new);
            return one(RefShape.concat(shapes, in));
        }
        if (op instanceof Split s) return RefShape.split(s0, s.sizes(), in[0]);
        if (op instanceof Flatten) return one(RefShape.flatten(s0, in[0]));
        if (op instanceof Unflatten u) return one(RefShape.unflatten(u.dstShape(), in[0]));
        if (op instanceof ZeroPad2d z) return one(RefShape.zeroPad(s0, z.top(), z.bottom(), z.left(), z.right(), in[0]));
        if (op instanceof Crop2d c) return one(RefShape.crop(s0, c.top(), c.bottom(), c.left(), c.right(), in[0]));
        if (op instanceof Dropout d) return RefElementwise.dropout(d, in[0], in[1][0]);
        if (op instanceof SoftmaxCrossEntropy x) {
            return RefLoss.softmaxCrossEntropy(x.sparse(), s0.dim(0), s0.dim(1), in[0], in[1]);
        }
        if (op instanceof SoftmaxCrossEntropyBwd x) {
            return one(RefLoss.softmaxCrossEntropyBackward(x.sparse(), s0.dim(0), s0.dim(1), in[0], in[1], in[2][0]));
        }
        if (op instanceof L2Penalty l) return one(new double[] {RefLoss.l2(l.lambda(), in[0])});
        if (op instanceof L2PenaltyBwd l) return one(RefLoss.l2Backward(l.lambda(), in[0], in[1][0]));
        if (op instanceof SgdUpdate u) {
            RefOptim.sgd(u.momentum(), u.nesterov(), in[0], in[1], in[2], in[3]);
            return new double[0][];
        }
        if (op instanceof AdamUpdate u) {
            RefOptim.adam(u.beta1(), u.beta2(), u.epsilon(), in[0], in[1], in[2], in[3], in[4]);
            return new double[0][];
        }
        if (op instanceof RmsPropUpdate u) {
            RefOptim.rmsProp(u.rho(), u.epsilon(), in[0], in[1], in[2], in[3]);
            return new double[0][];
        }
        throw new IllegalArgumentException("ReferenceOps has no reference for " + op.name() + " " + op);
    }

    private static void checkLengths(Op op, List<TensorSpec> specs, double[][] inputs) {
        if (inputs.length != specs.size()) {
            throw new IllegalArgumentException(op.name() + ": " + inputs.length + " input arrays for " + specs.size()
                    + " input specs " + specs);
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == null || inputs[i].length != specs.get(i).size()) {
                throw new IllegalArgumentException(op.name() + ": input " + i + " has "
                        + (inputs[i] == null ? "no array" : inputs[i].length + " values") + ", its spec "
                        + specs.get(i) + " needs " + specs.get(i).size());
            }
        }
    }

    /** Size of the last axis (the softmax axis of [N, K]); element-wise ops ignore it. */
    private static int lastDim(Shape s) { return s.dim(s.rank() - 1); }

    private static double[][] one(double[] output) { return new double[][] {output}; }
}
