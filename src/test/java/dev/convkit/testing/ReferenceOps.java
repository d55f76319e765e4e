package dev.convkit.testing;

import dev.convkit.ops.ActivationBwd;
import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.BatchNormBwd;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Composite;
import dev.convkit.ops.Concat;
import dev.convkit.ops.Cast;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Crop2d;
import dev.convkit.ops.DenseBwdData;
import dev.convkit.ops.DenseBwdWeights;
import dev.convkit.ops.DenseOp;
import dev.convkit.ops.DropoutOp;
import dev.convkit.ops.EmaUpdate;
import dev.convkit.ops.FlattenOp;
import dev.convkit.ops.GlobalAvgPool;
import dev.convkit.ops.GlobalAvgPoolBwd;
import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.L2PenaltyBwd;
import dev.convkit.ops.Mul;
import dev.convkit.ops.Op;
import dev.convkit.ops.OpVisitor;
import dev.convkit.ops.Operand;
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
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The float64 oracle of every op in the catalogue: plain loops written for clarity, not speed. Composite ops are
 * evaluated through their decomposition (their definition); the optimizer updates through their one f32
 * definition ({@link dev.convkit.ops.OptimizerUpdate#update}), which the engines must reproduce. Tensors are flat
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
        return op.accept(new Oracle(specs, in));
    }

    /** One float64 definition per primitive; composites are evaluated through their decomposition. */
    private record Oracle(List<TensorSpec> specs, double[][] in) implements OpVisitor<double[][]> {
        private Shape s0() { return specs.get(0).shape(); }

        @Override public double[][] visit(Cast c) { return one(in[0].clone()); }   // value-preserving in float64; rounding is the engine's

        @Override public double[][] visit(Conv2d c) {
            return one(RefConv.forward(c, s0(), specs.get(1).shape(), in[0], in[1], c.bias() ? in[2] : null));
        }
        @Override public double[][] visit(Conv2dBwdData c) { return one(RefConv.backwardData(c, specs.get(1).shape(), in[0], in[1])); }
        @Override public double[][] visit(Conv2dBwdFilter c) { return RefConv.backwardFilter(c, s0(), in[0], in[1]); }
        @Override public double[][] visit(BatchNormTrain b) {
            return RefNorm.train(s0(), b.epsilon(), b.momentum(), in[0], in[1], in[2], in[3], in[4]);
        }
        @Override public double[][] visit(BatchNormInfer b) { return one(RefNorm.infer(s0(), b.epsilon(), in[0], in[1], in[2], in[3], in[4])); }
        @Override public double[][] visit(BatchNormBwd b) { return RefNorm.backward(s0(), b.epsilon(), in[0], in[1], in[2], in[3], in[4]); }
        @Override public double[][] visit(ActivationOp a) { return one(RefElementwise.activation(a.kind(), in[0], lastDim(s0()))); }
        @Override public double[][] visit(ActivationBwd a) {
            return one(RefElementwise.activationBackward(a.kind(), in[0], in[1], lastDim(s0())));
        }
        @Override public double[][] visit(Pool2d p) { return one(RefPool.forward(p.kind(), p.window(), s0(), in[0])); }
        @Override public double[][] visit(Pool2dBwd p) { return one(RefPool.backward(p.kind(), p.window(), s0(), in[0], in[2])); }
        @Override public double[][] visit(GlobalAvgPool g) { return one(RefPool.globalAverage(s0(), in[0])); }
        @Override public double[][] visit(GlobalAvgPoolBwd g) { return one(RefPool.globalAverageBackward(g.srcShape(), in[0])); }
        @Override public double[][] visit(DenseOp d) {
            return one(RefConv.dense(s0().dim(0), s0().dim(1), specs.get(1).dim(1), in[0], in[1], d.bias() ? in[2] : null));
        }
        @Override public double[][] visit(DenseBwdData d) {
            return one(RefConv.denseBackwardData(s0().dim(0), specs.get(1).dim(0), s0().dim(1), in[0], in[1]));
        }
        @Override public double[][] visit(DenseBwdWeights d) {
            return RefConv.denseBackwardWeights(s0().dim(0), s0().dim(1), specs.get(1).dim(1), in[0], in[1], d.bias());
        }
        @Override public double[][] visit(AddOp a) { return one(RefElementwise.add(in)); }
        @Override public double[][] visit(Mul m) { return one(RefElementwise.mul(in[0], in[1])); }
        @Override public double[][] visit(Scale s) { return one(RefElementwise.scale(s.alpha(), in[0])); }
        @Override public double[][] visit(Concat c) {
            Shape[] shapes = specs.stream().map(TensorSpec::shape).toArray(Shape[]::new);
            return one(RefShape.concat(shapes, in));
        }
        @Override public double[][] visit(SplitOp s) { return RefShape.split(s0(), s.sizes(), in[0]); }
        @Override public double[][] visit(FlattenOp f) { return one(RefShape.flatten(s0(), in[0])); }
        @Override public double[][] visit(Unflatten u) { return one(RefShape.unflatten(u.dstShape(), in[0])); }
        @Override public double[][] visit(ZeroPad2d z) { return one(RefShape.zeroPad(s0(), z.top(), z.bottom(), z.left(), z.right(), in[0])); }
        @Override public double[][] visit(Crop2d c) { return one(RefShape.crop(s0(), c.top(), c.bottom(), c.left(), c.right(), in[0])); }
        @Override public double[][] visit(DropoutOp d) { return RefElementwise.dropout(d, in[0], in[1][0]); }
        @Override public double[][] visit(SoftmaxCrossEntropy x) {
            return RefLoss.softmaxCrossEntropy(x.sparse(), s0().dim(0), s0().dim(1), in[0], in[1]);
        }
        @Override public double[][] visit(SoftmaxCrossEntropyBwd x) {
            return one(RefLoss.softmaxCrossEntropyBackward(x.sparse(), s0().dim(0), s0().dim(1), in[0], in[1], in[2][0]));
        }
        @Override public double[][] visit(L2Penalty l) { return one(new double[] {RefLoss.l2(l.lambda(), in[0])}); }
        @Override public double[][] visit(L2PenaltyBwd l) { return one(RefLoss.l2Backward(l.lambda(), in[0], in[1][0])); }
        @Override public double[][] visit(SgdUpdate u) { return RefOptim.update(u, in); }
        @Override public double[][] visit(AdamUpdate u) { return RefOptim.update(u, in); }
        @Override public double[][] visit(RmsPropUpdate u) { return RefOptim.update(u, in); }
        @Override public double[][] visit(EmaUpdate u) { return RefOptim.ema(u, in); }

        @Override public double[][] decomposed(Composite op) {
            List<Operand> operands = new ArrayList<>();
            for (int i = 0; i < in.length; i++) operands.add(new Held(specs.get(i), in[i]));
            List<Operand> outs = op.decompose((o, xs) -> {
                List<TensorSpec> sp = Arrays.stream(xs).map(Operand::spec).toList();
                double[][] r = run(o, sp, Arrays.stream(xs).map(x -> ((Held) x).values()).toArray(double[][]::new));
                List<TensorSpec> outSpecs = o.outputs(sp);
                List<Operand> held = new ArrayList<>();
                for (int j = 0; j < r.length; j++) held.add(new Held(outSpecs.get(j), r[j]));
                return held;
            }, operands);
            return outs.stream().map(o -> ((Held) o).values()).toArray(double[][]::new);
        }
    }

    /** A value of a decomposition being evaluated: its spec and its array (in-place inputs are the caller's). */
    private record Held(TensorSpec spec, double[] values) implements Operand {}

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
