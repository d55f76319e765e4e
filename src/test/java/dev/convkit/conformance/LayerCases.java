package dev.convkit.conformance;

import static dev.convkit.conformance.ConformanceCase.flags;
import static dev.convkit.conformance.ConformanceCase.forward;
import static dev.convkit.conformance.ConformanceCase.only;

import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.BatchNormReluTrain;
import dev.convkit.ops.LeakyRelu;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Concat;
import dev.convkit.ops.DropoutOp;
import dev.convkit.ops.FlattenOp;
import dev.convkit.ops.GlobalAvgPool;
import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.Op;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Scale;
import dev.convkit.ops.SoftmaxCrossEntropy;
import dev.convkit.ops.Window2d;
import dev.convkit.ops.ZeroPad2d;
import dev.convkit.testing.RandomTensors;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/** Forward ops other than convolution and dense, each checked forward and through its gradient rule. */
final class LayerCases {
    private LayerCases() {}

    static List<ConformanceCase> all() {
        return List.of(
                batchNorm("4-D [2, 5, 3, 3]", 2, 5, 3, 3),
                batchNorm("4-D batch 1 [1, 3, 5, 5]", 1, 3, 5, 5),
                batchNorm("2-D [6, 7]", 6, 7),
                batchNorm("2-D batch 1 [1, 6] (one value per channel, as after a Dense)", 1, 6),
                batchNorm("4-D [1, 3, 1, 1] (one value per channel)", 1, 3, 1, 1),
                batchNormRelu("4-D [2, 5, 3, 3]", 2, 5, 3, 3),
                batchNormRelu("4-D [2, 16, 4, 4] (a whole 16-channel block)", 2, 16, 4, 4),
                batchNormRelu("4-D [2, 20, 3, 3] (a partial channel block)", 2, 20, 3, 3),
                batchNormRelu("2-D [6, 7]", 6, 7),
                unary("relu [2, 3, 5, 5]", new ActivationOp(ActivationOp.Kind.RELU), 2, 3, 5, 5),
                unary("leaky_relu slope 0.3 [2, 3, 5, 5]", new LeakyRelu(0.3f), 2, 3, 5, 5),
                unary("leaky_relu slope 0.3 [2, 20, 3, 3] (a partial channel block)", new LeakyRelu(0.3f), 2, 20, 3, 3),
                unary("leaky_relu slope -0.5 [4, 9]", new LeakyRelu(-0.5f), 4, 9),
                unary("sigmoid [2, 3, 4, 3]", new ActivationOp(ActivationOp.Kind.SIGMOID), 2, 3, 4, 3),
                unary("tanh [3, 11]", new ActivationOp(ActivationOp.Kind.TANH), 3, 11),
                saturating("sigmoid", ActivationOp.Kind.SIGMOID, 8),
                saturating("tanh", ActivationOp.Kind.TANH, 4),
                saturating("relu6", ActivationOp.Kind.RELU6, 9),
                forward("relu6 [2, 20, 3, 3] over [-8, 8) (a partial channel block, both kinks)",
                        new ActivationOp(ActivationOp.Kind.RELU6), List.of(TensorSpec.f32(2, 20, 3, 3)),
                        rnd -> new double[][] {RandomTensors.uniform(rnd, 360, -8, 8)}, flags(1), flags(1)),
                unary("softmax [4, 10]", new ActivationOp(ActivationOp.Kind.SOFTMAX), 4, 10),
                unary("softmax batch 1 [1, 7]", new ActivationOp(ActivationOp.Kind.SOFTMAX), 1, 7),
                pool("max 3x3 s2 TF-same on odd 7x7 (pads 1/1)", Pool2d.Kind.MAX, Window2d.same(7, 7, 3, 3, 2, 2, 1, 1), 2, 3, 7, 7),
                pool("max 3x3 s2 TF-same on even 8x6 (pads 0/1)", Pool2d.Kind.MAX, Window2d.same(8, 6, 3, 3, 2, 2, 1, 1), 1, 5, 8, 6),
                pool("max 2x2 s2 valid on odd 7x5", Pool2d.Kind.MAX, Window2d.valid(2, 2, 2, 2, 1, 1), 2, 3, 7, 5),
                pool("max 3x3 s1 explicit pads 1/1/1/1 (overlapping windows)", Pool2d.Kind.MAX,
                        new Window2d(3, 3, 1, 1, 1, 1, 1, 1, 1, 1), 1, 2, 4, 5),
                pool("avg 3x3 s1 TF-same on 5x5 (border windows hold 4 or 6)", Pool2d.Kind.AVG, Window2d.same(5, 5, 3, 3, 1, 1, 1, 1), 2, 3, 5, 5),
                pool("avg 3x3 s2 TF-same on even 6x8 (pads 0/1)", Pool2d.Kind.AVG, Window2d.same(6, 8, 3, 3, 2, 2, 1, 1), 1, 4, 6, 8),
                pool("avg 2x2 s2 valid on odd 7x5", Pool2d.Kind.AVG, Window2d.valid(2, 2, 2, 2, 1, 1), 2, 3, 7, 5),
                unary("global_avg_pool [2, 5, 3, 7]", new GlobalAvgPool(), 2, 5, 3, 7),
                unary("global_avg_pool 1x1 [1, 9, 1, 1]", new GlobalAvgPool(), 1, 9, 1, 1),
                forward("add of 2 [2, 3, 5, 5]", new AddOp(2), List.of(TensorSpec.f32(2, 3, 5, 5), TensorSpec.f32(2, 3, 5, 5))),
                forward("add of 3 [4, 9]", new AddOp(3), List.of(TensorSpec.f32(4, 9), TensorSpec.f32(4, 9), TensorSpec.f32(4, 9))),
                unary("scale 0.37 [2, 3, 3, 3]", new Scale(0.37f), 2, 3, 3, 3),
                forward("concat 3 + 5 channels on odd 5x3", new Concat(2),
                        List.of(TensorSpec.f32(2, 3, 5, 3), TensorSpec.f32(2, 5, 5, 3))),
                forward("concat of 3, 2-D", new Concat(3), List.of(TensorSpec.f32(3, 1), TensorSpec.f32(3, 6), TensorSpec.f32(3, 2))),
                unary("flatten [2, 3, 3, 5] (NHWC order)", new FlattenOp(), 2, 3, 3, 5),
                unary("flatten 2-D [3, 4]", new FlattenOp(), 3, 4),
                unary("zero_pad2d 1/2/0/3 [2, 3, 5, 4]", new ZeroPad2d(1, 2, 0, 3), 2, 3, 5, 4),
                dropout("4-D [2, 3, 5, 5], step 3", 3, 2, 3, 5, 5),
                dropout("2-D [4, 9], step 0", 0, 4, 9),
                xent("sparse labels, [5, 10]", true, 5, 10, RandomTensors::classIndices),
                xent("one-hot labels, [4, 7]", false, 4, 7, RandomTensors::oneHotRows),
                xent("probability labels, [3, 5]", false, 3, 5, RandomTensors::probabilityRows),
                xent("sparse labels, batch 1 [1, 3]", true, 1, 3, RandomTensors::classIndices),
                unary("l2_penalty 1e-3 on a [4, 3, 3, 3] kernel", new L2Penalty(1e-3f), 4, 3, 3, 3),
                // More values than 1024 blocks of 256 threads cover in one sweep, and than one 2^20-float staging buffer.
                unary("l2_penalty 1e-4 on 1,100,000 weights [110, 100, 10, 10]", new L2Penalty(1e-4f), 110, 100, 10, 10));
    }

    /**
     * An activation on [−range, range) over 1,031 values (five blocks of 256, odd): its gradient is read from dst,
     * and near saturation y·(1 − y) or 1 − y² differs most from the same formula applied to anything else (the
     * gradient of the activation of dst, what reading dst in the src slot gives).
     */
    private static ConformanceCase saturating(String name, ActivationOp.Kind kind, double range) {
        List<TensorSpec> specs = List.of(TensorSpec.f32(1031));
        return forward(name + " saturating, [-" + range + ", " + range + ") over 1031 values", new ActivationOp(kind), specs,
                rnd -> new double[][] {RandomTensors.uniform(rnd, 1031, -range, range)}, flags(1), flags(1));
    }

    private static ConformanceCase unary(String name, Op op, int... dims) {
        return forward(name, op, List.of(TensorSpec.f32(dims)));
    }

    /** Batch norm with gamma near 1, running variance positive; dst is the only differentiated output. */
    private static ConformanceCase batchNorm(String what, int... dims) {
        TensorSpec x = TensorSpec.f32(dims);
        TensorSpec v = TensorSpec.f32(dims[1]);
        int c = dims[1];
        Function<Random, double[][]> gen = rnd -> new double[][] {
                RandomTensors.uniform(rnd, (int) x.size(), -2, 3), RandomTensors.uniform(rnd, c, 0.5, 1.5),
                RandomTensors.uniform(rnd, c, -0.5, 0.5), RandomTensors.uniform(rnd, c, -0.2, 0.2),
                RandomTensors.uniform(rnd, c, 0.5, 1.5)};
        return forward("batch_norm_train " + what, new BatchNormTrain(1e-3f, 0.99f), List.of(x, v, v, v, v), gen,
                only(5, 0, 1, 2), only(3, 0));
    }

    /** Fused BN + ReLU, the inputs of {@link #batchNorm}: about half of dst is zeroed by the ReLU. */
    private static ConformanceCase batchNormRelu(String what, int... dims) {
        TensorSpec x = TensorSpec.f32(dims);
        TensorSpec v = TensorSpec.f32(dims[1]);
        ConformanceCase plain = batchNorm(what, dims);
        return forward("batch_norm_relu_train " + what, new BatchNormReluTrain(1e-3f, 0.99f), List.of(x, v, v, v, v),
                plain.inputs(), only(5, 0, 1, 2), only(3, 0));
    }

    /** Pooling of distinct values, so no window has a tie that an engine might break differently. */
    private static ConformanceCase pool(String what, Pool2d.Kind kind, Window2d win, int... dims) {
        List<TensorSpec> specs = List.of(TensorSpec.f32(dims));
        return forward("pool2d " + what + " " + specs.get(0).shape(), new Pool2d(kind, win), specs,
                rnd -> new double[][] {RandomTensors.distinct(rnd, (int) specs.get(0).size())}, flags(1), flags(1));
    }

    /** Dropout at rate 0.3 with the step counter as second input; the mask output carries no gradient. */
    private static ConformanceCase dropout(String what, int step, int... dims) {
        List<TensorSpec> specs = List.of(TensorSpec.f32(dims), TensorSpec.f32(1));
        return forward("dropout 0.3 " + what, new DropoutOp(0.3f, 0x5EEDL), specs,
                rnd -> new double[][] {RandomTensors.uniform(rnd, (int) specs.get(0).size(), -1, 1), {step}},
                only(2, 0), only(2, 0));
    }

    /** Labels drawn by {@code labels(rnd, n, k)}; only the loss carries gradient, only the logits are differentiated. */
    private static ConformanceCase xent(String what, boolean sparse, int n, int k, LabelDraw labels) {
        List<TensorSpec> specs = List.of(TensorSpec.f32(n, k), sparse ? TensorSpec.f32(n) : TensorSpec.f32(n, k));
        return forward((sparse ? "sparse_softmax_xent " : "softmax_xent ") + what, new SoftmaxCrossEntropy(sparse), specs,
                rnd -> new double[][] {RandomTensors.uniform(rnd, n * k, -3, 3), labels.draw(rnd, n, k)},
                only(2, 0), only(2, 0));
    }

    @FunctionalInterface
    private interface LabelDraw {
        double[] draw(Random rnd, int rows, int classes);
    }
}
