package dev.convkit.conformance;

import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormReluBwd;
import dev.convkit.ops.BatchNormReluInfer;
import dev.convkit.ops.BatchNormReluTrain;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Cast;
import dev.convkit.ops.Concat;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Crop2d;
import dev.convkit.ops.DenseOp;
import dev.convkit.ops.FlattenOp;
import dev.convkit.ops.GlobalAvgPool;
import dev.convkit.ops.Op;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.SplitOp;
import dev.convkit.ops.Unflatten;
import dev.convkit.ops.ZeroPad2d;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.TensorSpec;
import dev.convkit.testing.Bf16;
import dev.convkit.testing.Closeness.Tolerance;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * The bf16 conformance cases: every f32 case of an op that mixed-precision programs run in bf16 (convolution, dense,
 * batch norm and its fused ReLU form, activations but softmax, pooling, adds, concatenation and the layout ops),
 * with its activation inputs made bf16 (weights, BN parameters and statistics stay f32, as in those programs), plus
 * the {@link Cast} op both ways. Inputs are drawn as in the f32 case, then rounded to bf16, so the float64 reference
 * sees exactly what the engine reads; so are the incoming gradients of bf16 outputs.
 *
 * <p>Tolerance of a case whose widest sum has K terms (conv: max(C·KH·KW, O·KH·KW, N·OH·OW); dense: max(K, M, N);
 * batch norm: the N·H·W values per channel; pooling: the window; others: 1):
 * |engine − reference| ≤ 2^-7·√K + 2^-7·|reference|. Why: every stored bf16 value carries a relative rounding error
 * of at most 2^-9 (the rtol covers the output's own and that of one bf16 input computed by the engine itself, such
 * as the dst a ReLU or pooling backward reads); inside a sum the f32 weights converted to bf16 add independent
 * errors of at most 2^-9·|term| with |term| ≤ 1 here, whose sum over K terms has a standard deviation of about
 * 2^-9·√K/3 (uniform inputs); the largest of ~10^5 outputs reaches ~5 of them, measured 0.091 on the 576-term case
 * (2^-7·√576 = 0.19). f32 accumulation of exact bf16 products is negligible beside it. A wrong index, padding or
 * type conversion is off by O(1), a wrong sum by O(√K/3).
 */
final class Bf16Cases {
    private Bf16Cases() {}

    static List<ConformanceCase> all() {
        List<ConformanceCase> out = new ArrayList<>();
        List<ConformanceCase> f32 = new ArrayList<>(ConvCases.all());
        f32.addAll(LayerCases.all());
        f32.addAll(StandaloneCases.all());
        for (ConformanceCase c : f32) if (runsInBf16(c.op())) out.add(bf16(c));
        TensorSpec x = TensorSpec.f32(2, 5, 3, 3);
        out.add(cast(ConformanceCase.forward("cast f32 → bf16 [2, 5, 3, 3]", new Cast(DType.BF16), List.of(x))));
        TensorSpec y = TensorSpec.of(DType.BF16, 2, 20, 3, 3);
        out.add(cast(rounded(ConformanceCase.forward("cast bf16 → f32 [2, 20, 3, 3] (a partial channel block)", new Cast(DType.F32),
                List.of(y)))));
        return out;
    }

    /** The op families a mixed-precision program runs in bf16 (as graph.MixedPrecision), with their standalone forms. */
    private static boolean runsInBf16(Op op) {
        if (op instanceof ActivationOp a) return a.kind() != ActivationOp.Kind.SOFTMAX;
        return op instanceof Conv2d || op instanceof DenseOp || op instanceof BatchNormTrain || op instanceof BatchNormInfer
                || op instanceof BatchNormReluTrain || op instanceof BatchNormReluInfer || op instanceof BatchNormReluBwd
                || op instanceof Pool2d || op instanceof GlobalAvgPool || op instanceof AddOp || op instanceof Concat
                || op instanceof SplitOp || op instanceof FlattenOp || op instanceof Unflatten || op instanceof ZeroPad2d
                || op instanceof Crop2d;
    }

    /** Inputs that are activations: all of them, except the parameters and statistics of conv, dense and BN. */
    private static boolean isActivation(Op op, int input) {
        if (op instanceof BatchNormReluBwd) return input < 3;   // src, dst, diffDst; then gamma, mean, var
        boolean hasParams = op instanceof Conv2d || op instanceof DenseOp || op instanceof BatchNormTrain
                || op instanceof BatchNormInfer || op instanceof BatchNormReluTrain || op instanceof BatchNormReluInfer;
        return !hasParams || input == 0;
    }

    private static ConformanceCase bf16(ConformanceCase c) {
        List<TensorSpec> specs = new ArrayList<>();
        for (int i = 0; i < c.specs().size(); i++) {
            TensorSpec s = c.specs().get(i);
            specs.add(isActivation(c.op(), i) ? s.withDType(DType.BF16) : s);
        }
        ConformanceCase t = new ConformanceCase("bf16 " + c.name(), c.op(), List.copyOf(specs), c.inputs(), c.wrt(), c.gradOutputs(),
                tolerance(reductionLength(c.op(), c.specs())));
        return rounded(t);
    }

    /** The case with the values of its bf16 inputs rounded to bf16 after drawing. */
    private static ConformanceCase rounded(ConformanceCase c) {
        Function<Random, double[][]> draw = c.inputs();
        List<TensorSpec> specs = c.specs();
        Function<Random, double[][]> roundedDraw = rnd -> {
            double[][] v = draw.apply(rnd);
            for (int i = 0; i < v.length; i++) if (specs.get(i).dtype() == DType.BF16) Bf16.round(v[i]);
            return v;
        };
        return new ConformanceCase(c.name(), c.op(), specs, roundedDraw, c.wrt(), c.gradOutputs(), c.tolerance());
    }

    /** A cast is exact or one rounding: 2^-8 relative (the rounding bound 2^-9 with a margin of 2). */
    private static ConformanceCase cast(ConformanceCase c) { return c.withTolerance(new Tolerance(1e-6, 1.0 / 256)); }

    /** The widest sum of the op's forward and backward ops (see the class comment). */
    static long reductionLength(Op op, List<TensorSpec> specs) {
        TensorSpec x = specs.get(0);
        if (op instanceof Conv2d c) {
            TensorSpec w = specs.get(1), y = c.outputs(specs).get(0);
            long window = (long) w.dim(2) * w.dim(3);
            return Math.max(Math.max(w.dim(1) * window, w.dim(0) * window), (long) y.dim(0) * y.dim(2) * y.dim(3));
        }
        if (op instanceof DenseOp) return Math.max(Math.max(x.dim(1), specs.get(1).dim(1)), x.dim(0));
        if (op instanceof BatchNormTrain || op instanceof BatchNormInfer || op instanceof BatchNormReluTrain
                || op instanceof BatchNormReluInfer || op instanceof BatchNormReluBwd) return x.size() / x.dim(1);
        if (op instanceof Pool2d p) return (long) p.window().kernelH() * p.window().kernelW();
        if (op instanceof GlobalAvgPool) return (long) x.dim(2) * x.dim(3);
        if (op instanceof AddOp a) return a.arity();
        return 1;
    }

    static Tolerance tolerance(long k) { return new Tolerance(Math.sqrt(k) / 128, 1.0 / 128); }
}
