package dev.convkit.conformance;

import static dev.convkit.conformance.ConformanceCase.standalone;
import static dev.convkit.conformance.ConformanceCase.uniform;

import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormReluBwd;
import dev.convkit.ops.BatchNormReluInfer;
import dev.convkit.ops.Crop2d;
import dev.convkit.ops.EmaUpdate;
import dev.convkit.ops.Mul;
import dev.convkit.ops.Op;
import dev.convkit.ops.RmsPropUpdate;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.ops.SplitOp;
import dev.convkit.ops.Unflatten;
import dev.convkit.testing.Closeness.Tolerance;
import dev.convkit.testing.RandomTensors;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Ops checked on their own with no forward hint: inference batch norm, the optimizer updates and the weights' moving
 * average (their in-place parameters, state and average are compared), and the data-movement ops that gradient rules emit.
 */
final class StandaloneCases {
    private StandaloneCases() {}

    /** Length of the optimizer slices: odd and not a multiple of 8, so vectorised loops need a tail. */
    private static final int SLICE = 37;

    static List<ConformanceCase> all() {
        return List.of(
                batchNormInfer("4-D [2, 5, 3, 3]", 2, 5, 3, 3),
                batchNormInfer("2-D [3, 6]", 3, 6),
                batchNormReluInfer("4-D [2, 5, 3, 3]", 2, 5, 3, 3),
                batchNormReluInfer("4-D [2, 20, 3, 3] (a partial channel block)", 2, 20, 3, 3),
                batchNormReluInfer("2-D [3, 6]", 3, 6),
                batchNormReluBwd("4-D [2, 5, 3, 3]", 2, 5, 3, 3),
                batchNormReluBwd("4-D [2, 16, 3, 3]", 2, 16, 3, 3),
                batchNormReluBwd("2-D [6, 7]", 6, 7),
                update("sgd_update plain (momentum 0), step 1", new SgdUpdate(0f, false), 1, false),
                update("sgd_update momentum 0.9, step 4", new SgdUpdate(0.9f, false), 4, false),
                update("sgd_update nesterov 0.9, step 2", new SgdUpdate(0.9f, true), 2, false),
                update("adam_update Keras defaults, step 3", AdamUpdate.kerasDefaults(), 3, true),
                update("adam_update beta2 0.99 eps 1e-3, step 1", new AdamUpdate(0.8f, 0.99f, 1e-3f), 1, true),
                update("rmsprop_update Keras defaults, step 2", RmsPropUpdate.kerasDefaults(), 2, true),
                ema("ema_update 0.999, step 1 (decay capped at 2/11)", new EmaUpdate(0.999f), 1),
                ema("ema_update 0.999, step 20000 (decay 0.999)", new EmaUpdate(0.999f), 20000),
                ema("ema_update 0.5, step 3", new EmaUpdate(0.5f), 3),
                standalone("mul [2, 3, 5, 5]", new Mul(), twice(TensorSpec.f32(2, 3, 5, 5)), uniform(twice(TensorSpec.f32(2, 3, 5, 5)))),
                standalone("split 4-D into 2 + 1 + 4 channels", new SplitOp(new int[] {2, 1, 4}), List.of(TensorSpec.f32(2, 7, 3, 5)),
                        uniform(List.of(TensorSpec.f32(2, 7, 3, 5)))),
                standalone("split 2-D into 3 + 3", new SplitOp(new int[] {3, 3}), List.of(TensorSpec.f32(4, 6)),
                        uniform(List.of(TensorSpec.f32(4, 6)))),
                standalone("crop2d 1/0/2/1 of [2, 3, 6, 5]", new Crop2d(1, 0, 2, 1), List.of(TensorSpec.f32(2, 3, 6, 5)),
                        uniform(List.of(TensorSpec.f32(2, 3, 6, 5)))),
                standalone("unflatten [2, 30] to [2, 5, 2, 3] (NHWC order)", new Unflatten(Shape.of(2, 5, 2, 3)),
                        List.of(TensorSpec.f32(2, 30)), uniform(List.of(TensorSpec.f32(2, 30)))));
    }

    private static List<TensorSpec> twice(TensorSpec s) { return List.of(s, s); }

    /**
     * The fused BN + ReLU backward compiled alone, with no forward kernel whose saved mask it could read: dst (the
     * ReLU output, zero in about half the places) defines the mask.
     */
    private static ConformanceCase batchNormReluBwd(String what, int... dims) {
        TensorSpec x = TensorSpec.f32(dims);
        TensorSpec v = TensorSpec.f32(dims[1]);
        int c = dims[1], n = (int) x.size();
        return standalone("batch_norm_relu_bwd alone " + what, new BatchNormReluBwd(1e-3f), List.of(x, x, x, v, v, v),
                rnd -> {
                    double[] dst = RandomTensors.uniform(rnd, n, -1, 1);
                    for (int i = 0; i < n; i++) dst[i] = Math.max(0, dst[i]);
                    return new double[][] {RandomTensors.uniform(rnd, n, -2, 2), dst, RandomTensors.uniform(rnd, n, -1, 1),
                            RandomTensors.uniform(rnd, c, 0.5, 1.5), RandomTensors.uniform(rnd, c, -0.3, 0.3),
                            RandomTensors.uniform(rnd, c, 0.2, 2)};
                });
    }

    /** Fused BN + ReLU with moving statistics, the inputs of {@link #batchNormInfer}: about half of dst is cut. */
    private static ConformanceCase batchNormReluInfer(String what, int... dims) {
        ConformanceCase plain = batchNormInfer(what, dims);
        return standalone("batch_norm_relu_infer " + what, new BatchNormReluInfer(1e-3f), plain.specs(), plain.inputs());
    }

    private static ConformanceCase batchNormInfer(String what, int... dims) {
        TensorSpec x = TensorSpec.f32(dims);
        TensorSpec v = TensorSpec.f32(dims[1]);
        int c = dims[1];
        return standalone("batch_norm_infer " + what, new BatchNormInfer(1e-3f), List.of(x, v, v, v, v),
                rnd -> new double[][] {RandomTensors.uniform(rnd, (int) x.size(), -2, 2), RandomTensors.uniform(rnd, c, 0.5, 1.5),
                        RandomTensors.uniform(rnd, c, -0.5, 0.5), RandomTensors.uniform(rnd, c, -0.3, 0.3),
                        RandomTensors.uniform(rnd, c, 0.2, 2)});
    }

    /**
     * An update over slices of {@value #SLICE}: param and grad uniform, signed states small (SGD velocity, Adam m),
     * the last state a non-negative second moment where {@code lastStateIsSquare} (Adam v, RMSprop mean square),
     * hyper [lr 0.01, step].
     */
    private static ConformanceCase update(String name, Op op, int step, boolean lastStateIsSquare) {
        int slices = op instanceof AdamUpdate ? 4 : 3; // param, grad, state(s)
        List<TensorSpec> specs = specs(slices);
        // Tighter than Tolerance.F32: an update moves an O(1) parameter by O(lr) = O(0.01), so a misplaced ε or a
        // missing bias correction changes it by far less than 1e-4; f32 rounding of p and state is below 1e-6.
        Tolerance tight = new Tolerance(1e-6, 1e-5);
        return standalone(name, op, specs, rnd -> {
            double[][] in = new double[slices + 1][];
            in[0] = RandomTensors.uniform(rnd, SLICE, -1, 1);
            in[1] = RandomTensors.uniform(rnd, SLICE, -1, 1);
            for (int s = 2; s < slices; s++) {
                boolean square = s == slices - 1 && lastStateIsSquare;
                in[s] = square ? RandomTensors.uniform(rnd, SLICE, 0, 0.5) : RandomTensors.uniform(rnd, SLICE, -0.1, 0.1);
            }
            in[slices] = new double[] {(float) 0.01, step};
            return in;
        }).withTolerance(tight);
    }

    /** The moving average over slices of {@value #SLICE}: average and value uniform in [−1, 1], hyper [lr 0.01, step]. */
    private static ConformanceCase ema(String name, EmaUpdate op, int step) {
        List<TensorSpec> specs = specs(2);
        return standalone(name, op, specs, rnd -> new double[][] {RandomTensors.uniform(rnd, SLICE, -1, 1),
                RandomTensors.uniform(rnd, SLICE, -1, 1), {0.01, step}}).withTolerance(new Tolerance(1e-6, 1e-5));
    }

    private static List<TensorSpec> specs(int slices) {
        List<TensorSpec> specs = new ArrayList<>(Collections.nCopies(slices, TensorSpec.f32(SLICE)));
        specs.add(TensorSpec.f32(2));
        return specs;
    }
}
