package dev.convkit.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.BatchNormReluTrain;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Concat;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.DenseOp;
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
import dev.convkit.tensor.TensorSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every gradient rule of the op catalogue, evaluated with {@link ReferenceOps}, against central finite differences
 * of the float64 reference forward ({@link GradCheck} states the tolerance). This checks the rules in the ops
 * package and the reference backward ops at once.
 */
class ReferenceGradientTest {

    /** One check: the op, its input specs, how to draw inputs, which inputs to differentiate, which outputs feed L. */
    record Case(Op op, List<TensorSpec> specs, Function<Random, double[][]> inputs, boolean[] wrt, boolean[] objective) {}

    static Stream<Named<Case>> cases() {
        return Stream.of(
                named("conv2d 3x3 same, bias", conv(Window2d.same(5, 5, 3, 3, 1, 1, 1, 1), true, 2, 3, 5, 5, 4)),
                named("conv2d 3x3 stride 2 TF-same on even input (pads 0/1), no bias",
                        conv(Window2d.same(6, 6, 3, 3, 2, 2, 1, 1), false, 1, 2, 6, 6, 3)),
                named("conv2d 3x3 dilation 2, valid, bias", conv(Window2d.valid(3, 3, 1, 1, 2, 2), true, 2, 2, 7, 6, 2)),
                named("conv2d 3x2 stride 2x1 explicit asymmetric pads, bias",
                        conv(new Window2d(3, 2, 2, 1, 0, 2, 1, 0, 1, 1), true, 1, 3, 5, 4, 2)),
                named("conv2d 3x3 groups 2 TF-same, 4 to 6 channels, bias",
                        grouped(Window2d.same(5, 4, 3, 3, 1, 1, 1, 1), true, 2, 2, 4, 5, 4, 6)),
                named("conv2d depthwise 3x3 stride 2 TF-same (pads 0/1), multiplier 2, no bias",
                        grouped(Window2d.same(6, 6, 3, 3, 2, 2, 1, 1), false, 3, 1, 3, 6, 6, 6)),
                named("batch_norm_train 4-D", batchNorm(2, 3, 3, 2)),
                named("batch_norm_train 2-D", batchNorm(5, 4)),
                named("batch_norm_relu_train 4-D", batchNormRelu(2, 3, 3, 2)),
                named("batch_norm_relu_train 2-D", batchNormRelu(5, 4)),
                named("relu", unary(new ActivationOp(ActivationOp.Kind.RELU), 2, 3, 3, 3)),
                named("relu6 (values within 1 of 0, off the kinks)", unary(new ActivationOp(ActivationOp.Kind.RELU6), 2, 3, 3, 3)),
                named("sigmoid", unary(new ActivationOp(ActivationOp.Kind.SIGMOID), 2, 3, 2, 3)),
                named("tanh", unary(new ActivationOp(ActivationOp.Kind.TANH), 3, 7)),
                named("softmax", unary(new ActivationOp(ActivationOp.Kind.SOFTMAX), 3, 5)),
                named("max_pool2d 3x3 stride 2 TF-same, odd input",
                        pool(Pool2d.Kind.MAX, Window2d.same(7, 7, 3, 3, 2, 2, 1, 1), 2, 2, 7, 7)),
                named("max_pool2d 3x3 stride 2 TF-same, even input (pads 0/1)",
                        pool(Pool2d.Kind.MAX, Window2d.same(6, 6, 3, 3, 2, 2, 1, 1), 1, 3, 6, 6)),
                named("avg_pool2d 3x3 stride 2 TF-same (pads 0/1 and 1/1)",
                        pool(Pool2d.Kind.AVG, Window2d.same(6, 5, 3, 3, 2, 2, 1, 1), 2, 2, 6, 5)),
                named("avg_pool2d 2x2 stride 2 valid", pool(Pool2d.Kind.AVG, Window2d.valid(2, 2, 2, 2, 1, 1), 1, 2, 5, 4)),
                named("global_avg_pool", unary(new GlobalAvgPool(), 2, 3, 4, 5)),
                named("dense with bias", dense(true)),
                named("dense without bias", dense(false)),
                named("add of 3", nary(new AddOp(3), List.of(TensorSpec.f32(2, 3, 2, 2), TensorSpec.f32(2, 3, 2, 2),
                        TensorSpec.f32(2, 3, 2, 2)))),
                named("scale -1.5", unary(new Scale(-1.5f), 2, 5)),
                named("concat of 2, 4-D", nary(new Concat(2), List.of(TensorSpec.f32(2, 2, 3, 3), TensorSpec.f32(2, 3, 3, 3)))),
                named("concat of 3, 2-D", nary(new Concat(3), List.of(TensorSpec.f32(2, 1), TensorSpec.f32(2, 4),
                        TensorSpec.f32(2, 2)))),
                named("flatten 4-D (NHWC order)", unary(new FlattenOp(), 2, 3, 2, 4)),
                named("flatten 2-D", unary(new FlattenOp(), 3, 4)),
                named("zero_pad2d 1/0/2/1", unary(new ZeroPad2d(1, 0, 2, 1), 2, 2, 3, 3)),
                named("dropout 0.3 (fixed mask)", dropout()),
                named("sparse softmax cross-entropy", xent(true)),
                named("softmax cross-entropy, probability labels", xent(false)),
                named("l2 penalty", unary(new L2Penalty(0.01f), 3, 2, 3, 3)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientRuleMatchesFiniteDifferences(Case c) {
        double[][] inputs = c.inputs().apply(new Random(Arrays.hashCode(c.op().toString().getBytes())));
        GradCheck.Result r = GradCheck.check(c.op(), c.specs(), inputs, c.wrt(), c.objective(), 42);
        System.out.println(r.describe().lines().findFirst().orElse(""));
        assertTrue(r.checked() > 0, "nothing was checked for " + c.op());
        assertTrue(r.passed(), r::describe);
    }

    private static Named<Case> named(String name, Case c) { return Named.of(name, c); }

    private static Case conv(Window2d win, boolean bias, int n, int c, int h, int w, int o) {
        List<TensorSpec> specs = bias
                ? List.of(TensorSpec.f32(n, c, h, w), TensorSpec.f32(o, c, win.kernelH(), win.kernelW()), TensorSpec.f32(o))
                : List.of(TensorSpec.f32(n, c, h, w), TensorSpec.f32(o, c, win.kernelH(), win.kernelW()));
        return new Case(new Conv2d(win, bias), specs, uniformInputs(specs), all(specs.size(), true), all(1, true));
    }

    /** A grouped conv: src [n, c, h, w], weights [o, c/groups, kh, kw]. */
    private static Case grouped(Window2d win, boolean bias, int groups, int n, int c, int h, int w, int o) {
        List<TensorSpec> specs = new java.util.ArrayList<>(List.of(TensorSpec.f32(n, c, h, w),
                TensorSpec.f32(o, c / groups, win.kernelH(), win.kernelW())));
        if (bias) specs.add(TensorSpec.f32(o));
        return new Case(new Conv2d(win, bias, groups), specs, uniformInputs(specs), all(specs.size(), true), all(1, true));
    }

    private static Case batchNorm(int... dims) {
        TensorSpec x = TensorSpec.f32(dims);
        TensorSpec v = TensorSpec.f32(dims[1]);
        List<TensorSpec> specs = List.of(x, v, v, v, v);
        int c = dims[1];
        Function<Random, double[][]> gen = rnd -> new double[][] {
                RandomTensors.uniform(rnd, (int) x.size(), -2, 3), RandomTensors.uniform(rnd, c, 0.5, 1.5),
                RandomTensors.uniform(rnd, c, -0.5, 0.5), RandomTensors.uniform(rnd, c, -0.1, 0.1),
                RandomTensors.uniform(rnd, c, 0.5, 1.5)};
        // Only dst carries gradient: mean and var are kept for the backward op, they are not differentiated outputs.
        return new Case(new BatchNormTrain(1e-3f, 0.99f), specs, gen, new boolean[] {true, true, true, false, false},
                new boolean[] {true, false, false});
    }

    /** Fused BN + ReLU on the inputs of {@link #batchNorm}; about half of dst is cut by the ReLU. */
    private static Case batchNormRelu(int... dims) {
        Case plain = batchNorm(dims);
        return new Case(new BatchNormReluTrain(1e-3f, 0.99f), plain.specs(), plain.inputs(), plain.wrt(), plain.objective());
    }

    private static Case unary(Op op, int... dims) {
        List<TensorSpec> specs = List.of(TensorSpec.f32(dims));
        // Values at least 0.05 from zero keep finite differences off relu's kink.
        return new Case(op, specs, rnd -> new double[][] {RandomTensors.awayFromZero(rnd, (int) specs.get(0).size())},
                all(1, true), all(op.outputs(specs).size(), true));
    }

    private static Case nary(Op op, List<TensorSpec> specs) {
        return new Case(op, specs, uniformInputs(specs), all(specs.size(), true), all(1, true));
    }

    private static Case pool(Pool2d.Kind kind, Window2d win, int... dims) {
        List<TensorSpec> specs = List.of(TensorSpec.f32(dims));
        // Distinct values: no window has a tie, so the max position is stable under the finite-difference step.
        return new Case(new Pool2d(kind, win), specs,
                rnd -> new double[][] {RandomTensors.distinct(rnd, (int) specs.get(0).size())}, all(1, true), all(1, true));
    }

    private static Case dense(boolean bias) {
        List<TensorSpec> specs = bias ? List.of(TensorSpec.f32(3, 5), TensorSpec.f32(5, 4), TensorSpec.f32(4))
                : List.of(TensorSpec.f32(3, 5), TensorSpec.f32(5, 4));
        return new Case(new DenseOp(bias), specs, uniformInputs(specs), all(specs.size(), true), all(1, true));
    }

    private static Case dropout() {
        List<TensorSpec> specs = List.of(TensorSpec.f32(2, 3, 4, 3), TensorSpec.f32(1));
        // The counter is fixed (step 7), so the mask is a constant of the objective; the mask output has no gradient.
        return new Case(new DropoutOp(0.3f, 1234L), specs,
                rnd -> new double[][] {RandomTensors.uniform(rnd, (int) specs.get(0).size(), -1, 1), {7}},
                new boolean[] {true, false}, new boolean[] {true, false});
    }

    private static Case xent(boolean sparse) {
        int n = 4, k = 5;
        List<TensorSpec> specs = List.of(TensorSpec.f32(n, k), sparse ? TensorSpec.f32(n) : TensorSpec.f32(n, k));
        Function<Random, double[][]> gen = rnd -> new double[][] {RandomTensors.uniform(rnd, n * k, -2, 2),
                sparse ? RandomTensors.classIndices(rnd, n, k) : RandomTensors.probabilityRows(rnd, n, k)};
        // Only the loss is differentiated (probs is kept for the backward op and metrics); labels are data.
        return new Case(new SoftmaxCrossEntropy(sparse), specs, gen, new boolean[] {true, false},
                new boolean[] {true, false});
    }

    private static Function<Random, double[][]> uniformInputs(List<TensorSpec> specs) {
        return rnd -> specs.stream().map(s -> RandomTensors.uniform(rnd, (int) s.size(), -1, 1)).toArray(double[][]::new);
    }

    private static boolean[] all(int n, boolean value) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, value);
        return b;
    }
}
