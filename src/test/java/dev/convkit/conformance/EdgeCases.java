package dev.convkit.conformance;

import static dev.convkit.conformance.EdgeCase.of;

import dev.convkit.ops.ActivationBwd;
import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Concat;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.ops.Crop2d;
import dev.convkit.ops.DenseBwdData;
import dev.convkit.ops.DenseBwdWeights;
import dev.convkit.ops.DenseOp;
import dev.convkit.ops.DropoutOp;
import dev.convkit.ops.FlattenOp;
import dev.convkit.ops.GlobalAvgPool;
import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Pool2dBwd;
import dev.convkit.ops.RmsPropUpdate;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.ops.SoftmaxCrossEntropy;
import dev.convkit.ops.SoftmaxCrossEntropyBwd;
import dev.convkit.ops.SplitOp;
import dev.convkit.ops.Unflatten;
import dev.convkit.ops.Window2d;
import dev.convkit.ops.ZeroPad2d;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import dev.convkit.testing.Closeness.Tolerance;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The behaviours every engine must share, each with values computed by hand (in the comments): what the per-engine
 * tests used to check one engine at a time. Conformance runs each on every engine and on the reference.
 */
final class EdgeCases {
    private EdgeCases() {}

    private static TensorSpec t(int... dims) { return TensorSpec.f32(dims); }

    private static double[] seq(int n, double first) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = first + i;
        return a;
    }

    private static double[] fill(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    static List<EdgeCase> all() {
        List<EdgeCase> list = new ArrayList<>();
        list.addAll(convolution());
        list.addAll(pooling());
        list.addAll(normalisationAndActivations());
        list.addAll(dense());
        list.addAll(dataMovement());
        list.addAll(lossAndUpdates());
        return list;
    }

    private static List<EdgeCase> convolution() {
        Window2d valid2 = Window2d.valid(2, 2, 1, 1, 1, 1), one = Window2d.valid(1, 1, 1, 1, 1, 1);
        return List.of(
                // out(i, j) = Σ w(a, b)·x(i + a, j + b) + 1 over x = 1..9 as 3x3, w = [[1, 2], [3, 4]]
                of("conv2d valid 2x2 with bias is a cross-correlation", new Conv2d(valid2, true), t(1, 1, 3, 3), t(1, 1, 2, 2), t(1))
                        .in(seq(9, 1), new double[] {1, 2, 3, 4}, new double[] {1}).out(new double[] {38, 48, 68, 78}),
                // ones 3x3 kernel, stride 2 over 1..16: windows rows/cols {0..2} and {2, 3, padding}
                of("conv2d TF-same stride 2 on an even input pads only after", new Conv2d(Window2d.same(4, 4, 3, 3, 2, 2, 1, 1), false),
                        t(1, 1, 4, 4), t(1, 1, 3, 3)).in(seq(16, 1), fill(9, 1)).out(new double[] {54, 45, 72, 54}),
                // dy = ones: every input position sums the weights of the windows covering it
                of("conv2d backward data sums the weights of the covering windows", new Conv2dBwdData(valid2, Shape.of(1, 1, 3, 3)),
                        t(1, 1, 2, 2), t(1, 1, 2, 2)).in(fill(4, 1), new double[] {1, 2, 3, 4})
                        .out(new double[] {1, 3, 2, 4, 10, 6, 3, 7, 4}),
                of("conv2d backward filter and bias", new Conv2dBwdFilter(valid2, Shape.of(1, 1, 2, 2), true), t(1, 1, 3, 3),
                        t(1, 1, 2, 2)).in(seq(9, 1), fill(4, 1)).out(new double[] {12, 16, 24, 28}, new double[] {4}),
                // groups 2: outputs 0, 1 read channels 0, 1 (1·1 + 10·2, 100·1 + 1000·2), outputs 2, 3 channels 2, 3
                of("grouped conv2d: each output reads only its group's channels", new Conv2d(one, false, 2), t(1, 4, 1, 1),
                        t(4, 2, 1, 1)).in(new double[] {1, 2, 3, 4}, new double[] {1, 10, 100, 1000, 1, -1, 2, 0.5})
                        .out(new double[] {21, 2100, -1, 8}),
                of("depthwise conv2d with multiplier 2: outputs 2c and 2c+1 read channel c", new Conv2d(one, false, 2),
                        t(1, 2, 1, 1), t(4, 1, 1, 1)).in(new double[] {3, 5}, new double[] {1, 2, 3, 4})
                        .out(new double[] {3, 6, 15, 20}));
    }

    private static List<EdgeCase> pooling() {
        Window2d avg2 = Window2d.same(3, 3, 2, 2, 2, 2, 1, 1);  // pads 0 before, 1 after
        Window2d max2 = Window2d.valid(2, 2, 2, 2, 1, 1);
        return List.of(
                of("max pool: zero padding never beats negative values", new Pool2d(Pool2d.Kind.MAX,
                        Window2d.same(2, 2, 3, 3, 1, 1, 1, 1)), t(1, 1, 2, 2)).in(new double[] {-1, -2, -3, -4})
                        .out(new double[] {-1, -1, -1, -1}),
                // windows {1, 5, 3, 0} and {2, 2, 2, 1}: the second is a three-way tie, won by its first element
                of("max pool backward: the gradient goes to the first maximum of a tie", new Pool2dBwd(Pool2d.Kind.MAX, max2),
                        t(1, 1, 2, 4), t(1, 1, 1, 2), t(1, 1, 1, 2))
                        .in(new double[] {1, 5, 2, 2, 3, 0, 2, 1}, new double[] {5, 2}, new double[] {10, 20})
                        .out(new double[] {0, 10, 20, 0, 0, 0, 0, 0}),
                of("avg pool TF-same 3x3 divides by the elements inside", new Pool2d(Pool2d.Kind.AVG,
                        Window2d.same(3, 3, 3, 3, 1, 1, 1, 1)), t(1, 1, 3, 3)).in(seq(9, 1))
                        .out(new double[] {3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7}),
                of("avg pool 2x2 stride 2 TF-same on 3x3 (pads 0/1)", new Pool2d(Pool2d.Kind.AVG, avg2), t(1, 1, 3, 3))
                        .in(seq(9, 1)).out(new double[] {3, 4.5, 7.5, 9}),
                of("avg pool backward spreads dy over the elements inside", new Pool2dBwd(Pool2d.Kind.AVG, avg2),
                        t(1, 1, 3, 3), t(1, 1, 2, 2), t(1, 1, 2, 2)).in(seq(9, 1), new double[] {3, 4.5, 7.5, 9}, fill(4, 1))
                        .out(new double[] {0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1}),
                of("global average pool", new GlobalAvgPool(), t(1, 2, 2, 2)).in(new double[] {1, 2, 3, 4, 0, 0, 0, 8})
                        .out(new double[] {2.5, 2}));
    }

    private static List<EdgeCase> normalisationAndActivations() {
        // x = {1, 2, 3, 4} in one channel: mean 2.5, biased variance 1.25, unbiased 5/3; gamma 2, beta 1, eps 1e-3
        double s = 2 / Math.sqrt(1.25 + 1e-3);
        return List.of(
                of("batch norm training: biased batch variance, unbiased running variance (Keras)",
                        new BatchNormTrain(1e-3f, 0.9f), t(2, 1, 1, 2), t(1), t(1), t(1), t(1))
                        .in(new double[] {1, 2, 3, 4}, new double[] {2}, new double[] {1}, new double[] {0}, new double[] {1})
                        .out(new double[] {1 - 1.5 * s, 1 - 0.5 * s, 1 + 0.5 * s, 1 + 1.5 * s}, new double[] {2.5},
                                new double[] {1.25})
                        .after(3, 0.25).after(4, 0.9 + 0.1 * 5 / 3.0),
                of("relu", new ActivationOp(ActivationOp.Kind.RELU), t(1, 4)).in(new double[] {-1, 0, 2, 3})
                        .out(new double[] {0, 0, 2, 3}),
                of("relu backward reads dst and is 0 at 0", new ActivationBwd(ActivationOp.Kind.RELU), t(1, 4), t(1, 4))
                        .in(new double[] {0, 0, 2, 3}, new double[] {5, 6, 7, 8}).out(new double[] {0, 0, 7, 8}),
                of("relu6 clips at 0 and 6", new ActivationOp(ActivationOp.Kind.RELU6), t(1, 5))
                        .in(new double[] {-1, 0, 3, 6, 7}).out(new double[] {0, 0, 3, 6, 6}),
                of("relu6 backward is 0 at both kinks", new ActivationBwd(ActivationOp.Kind.RELU6), t(1, 5), t(1, 5))
                        .in(new double[] {0, 0, 3, 6, 6}, new double[] {1, 2, 3, 4, 5}).out(new double[] {0, 0, 3, 0, 0}),
                // y·(dy − Σ dy·y) with y = (0.5, 0.5), dy = (1, 0)
                of("softmax backward reads dst", new ActivationBwd(ActivationOp.Kind.SOFTMAX), t(1, 2), t(1, 2))
                        .in(new double[] {0.5, 0.5}, new double[] {1, 0}).out(new double[] {0.25, -0.25}));
    }

    private static List<EdgeCase> dense() {
        double[] w = {1, 2, 3, 4, 5, 6};  // [K = 2, M = 3], Keras order
        return List.of(
                of("dense uses Keras's [in, out] weights", new DenseOp(true), t(1, 2), t(2, 3), t(3))
                        .in(new double[] {1, 2}, w, new double[] {0.5, 0, 0}).out(new double[] {9.5, 12, 15}),
                of("dense backward data", new DenseBwdData(), t(1, 3), t(2, 3)).in(new double[] {1, 0, -1}, w)
                        .out(new double[] {-2, -2}),
                of("dense backward weights and bias", new DenseBwdWeights(true), t(2, 2), t(2, 3))
                        .in(new double[] {1, 2, 3, 4}, new double[] {1, 0, -1, 2, 1, 0})
                        .out(new double[] {7, 3, -1, 10, 4, -2}, new double[] {3, 1, -1}));
    }

    private static List<EdgeCase> dataMovement() {
        double[] x = {0, 1, 2, 3, 10, 11, 12, 13};  // [1, 2, 2, 2]: channel 0 then channel 1
        double[] flat = {0, 10, 1, 11, 2, 12, 3, 13};
        double[] a = seq(8, 100), b = seq(24, 200), cat = new double[32];  // [2, 1, 2, 2] and [2, 3, 2, 2]
        for (int n = 0; n < 2; n++) {
            System.arraycopy(a, n * 4, cat, n * 16, 4);
            System.arraycopy(b, n * 12, cat, n * 16 + 4, 12);
        }
        int arity = 17;  // more inputs than one cuda launch takes (8): chained launches
        double[][] terms = new double[arity][];
        for (int k = 0; k < arity; k++) terms[k] = new double[] {k, 2 * k, -k};
        return List.of(
                of("flatten uses Keras's channels-last order", new FlattenOp(), t(1, 2, 2, 2)).in(x).out(flat),
                of("unflatten inverts flatten", new Unflatten(Shape.of(1, 2, 2, 2)), t(1, 8)).in(flat).out(x),
                of("zero pad top 1, right 1", new ZeroPad2d(1, 0, 0, 1), t(1, 1, 1, 2)).in(new double[] {1, 2})
                        .out(new double[] {0, 0, 0, 1, 2, 0}),
                of("crop inverts the pad", new Crop2d(1, 0, 0, 1), t(1, 1, 2, 3)).in(new double[] {0, 0, 0, 1, 2, 0})
                        .out(new double[] {1, 2}),
                of("concat of [2, 1] and [2, 2] along axis 1", new Concat(2), t(2, 1), t(2, 2))
                        .in(new double[] {1, 2}, new double[] {3, 4, 5, 6}).out(new double[] {1, 3, 4, 2, 5, 6}),
                of("split of [2, 3] into 1 and 2", new SplitOp(new int[] {1, 2}), t(2, 3)).in(new double[] {1, 3, 4, 2, 5, 6})
                        .out(new double[] {1, 2}, new double[] {3, 4, 5, 6}),
                of("concat of 1 and 3 channels keeps each sample's channel blocks", new Concat(2), t(2, 1, 2, 2), t(2, 3, 2, 2))
                        .in(a, b).out(cat),
                of("split of 4 channels into 1 and 3", new SplitOp(new int[] {1, 3}), t(2, 4, 2, 2)).in(cat).out(a, b),
                of("add of 3", new AddOp(3), t(3), t(3), t(3))
                        .in(new double[] {1, 2, 3}, new double[] {10, 20, 30}, new double[] {100, 200, 300})
                        .out(new double[] {111, 222, 333}),
                of("add of 17 (Σk = 136)", new AddOp(arity), Collections.nCopies(arity, t(3)).toArray(new TensorSpec[0]))
                        .in(terms).out(new double[] {136, 272, -136}));
    }

    private static List<EdgeCase> lossAndUpdates() {
        DropoutOp dropout = new DropoutOp(0.25f, 42L);
        double[] mask = new double[64], dst = new double[64];
        for (int i = 0; i < 64; i++) {
            mask[i] = dropout.mask(7, i);
            dst[i] = (i + 1) * mask[i];
        }
        // row 0: log(1 + e^-1 + e^-2); row 1: log 3; the loss is their mean
        double[] logits = {1, 2, 3, 0, 0, 0}, p = {0.09003057, 0.24472847, 0.66524096, 1 / 3.0, 1 / 3.0, 1 / 3.0};
        TensorSpec one = t(1), hyper = t(2);
        double[] lrT = {0.1, 1};
        return List.of(
                of("dropout draws the shared keep rule's mask at the step counter", dropout, t(64), t(1))
                        .in(seq(64, 1), new double[] {7}).out(dst, mask),
                of("sparse softmax cross-entropy: mean loss and probabilities", new SoftmaxCrossEntropy(true), t(2, 3), t(2))
                        .in(logits, new double[] {2, 0}).out(new double[] {0.7531091}, p),
                of("one-hot softmax cross-entropy equals the sparse one", new SoftmaxCrossEntropy(false), t(2, 3), t(2, 3))
                        .in(logits, new double[] {0, 0, 1, 1, 0, 0}).out(new double[] {0.7531091}, p),
                // dLoss 2 over a batch of 2: 2·(p − y)/2
                of("softmax cross-entropy backward", new SoftmaxCrossEntropyBwd(true), t(2, 3), t(2), t(1))
                        .in(p, new double[] {2, 0}, new double[] {2})
                        .out(new double[] {p[0], p[1], p[2] - 1, p[3] - 1, p[4], p[5]}),
                of("l2 penalty is lambda·Σw²", new L2Penalty(0.01f), t(3)).in(new double[] {1, -2, 3})
                        .out(new double[] {0.14}),
                // m = 0.1·0.5, v = 0.001·0.25, p = 1 − 0.1·m/(√v + 1e-7) with bias correction at t = 1
                of("adam takes the Keras step", AdamUpdate.kerasDefaults(), one, one, one, one, hyper)
                        .in(new double[] {1}, new double[] {0.5}, new double[] {0}, new double[] {0}, lrT)
                        .after(0, 0.90000063).after(2, 0.05).after(3, 0.00025).within(new Tolerance(1e-7, 0)),
                // velocity = 0.9·0.2 − 0.1·0.5 = 0.13; p = 1 + 0.13
                of("sgd with momentum", new SgdUpdate(0.9f, false), one, one, one, hyper)
                        .in(new double[] {1}, new double[] {0.5}, new double[] {0.2}, lrT).after(0, 1.13).after(2, 0.13),
                // p = 1 + 0.9·0.13 − 0.1·0.5
                of("sgd with Nesterov momentum", new SgdUpdate(0.9f, true), one, one, one, hyper)
                        .in(new double[] {1}, new double[] {0.5}, new double[] {0.2}, lrT).after(0, 1.067),
                // ms = 0.1·0.25; p = 1 − 0.1·0.5/(√0.025 + 1e-7)
                of("rmsprop takes the Keras step", RmsPropUpdate.kerasDefaults(), one, one, one, hyper)
                        .in(new double[] {1}, new double[] {0.5}, new double[] {0}, lrT).after(0, 0.68377243).after(2, 0.025));
    }
}
