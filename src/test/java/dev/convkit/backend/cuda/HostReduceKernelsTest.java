package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.HostChecks.narrow;
import static dev.convkit.backend.cuda.KernelGeometry.BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.REDUCTION_BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;
import static dev.convkit.backend.cuda.KernelGeometry.gridFor;
import static dev.convkit.backend.cuda.KernelGeometry.partialsGrid;
import static dev.convkit.backend.cuda.KernelGeometry.warpMultiple;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.ops.DenseBwdWeights;
import dev.convkit.ops.GlobalAvgPool;
import dev.convkit.ops.GlobalAvgPoolBwd;
import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.SoftmaxCrossEntropy;
import dev.convkit.ops.SoftmaxCrossEntropyBwd;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import dev.convkit.testing.RandomTensors;
import dev.convkit.testing.ReferenceOps;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * reduce.cu and softmax_xent.cu on the CPU (HostKernels) against the float64 reference. The kernels that synchronise
 * (block sums, warp shuffles) run with every thread of a block as a fiber; each of their launches is repeated with
 * the threads in forward, reverse and shuffled order between barriers, and the results must be bitwise identical:
 * a missing __syncthreads or a shared-memory race would make them differ (or be caught by the emulation).
 */
class HostReduceKernelsTest {
    private static final int CASES = 150;

    @BeforeEach
    void needsCompiler() { HostKernels.driver(); }

    @Test
    void reductionAndSoftmaxKernelsMatchTheReference() {
        Random rnd = new Random(13);
        HostChecks checks = new HostChecks("reduce + softmax_xent");
        HostRun run = new HostRun();
        for (int i = 0; i < CASES; i++) {
            run.freeAll();
            checks.newCase();
            String label = "case " + i;
            columnSums(rnd, run, checks, label);
            globalAveragePool(rnd, run, checks, label);
            l2PenaltyAndMean(rnd, run, checks, label);
            softmaxCrossEntropy(rnd, run, checks, label);
        }
        checks.execute(run);
        System.out.println(checks.summary());
    }

    private static void columnSums(Random rnd, HostRun run, HostChecks checks, String label) {
        int rows = 1 + rnd.nextInt(60), k = 1 + rnd.nextInt(3), cols = 1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 400);
        double[] x = RandomTensors.uniform(rnd, rows * k, -1, 1), dy = RandomTensors.uniform(rnd, rows * cols, -1, 1);
        double[] expected = ReferenceOps.run(new DenseBwdWeights(true), List.of(TensorSpec.f32(rows, k),
                TensorSpec.f32(rows, cols)), new double[][] {x, dy})[1];
        HostRun.Buf dst = run.nans(cols), src = run.floats(narrow(dy));
        run.launch(label, DeviceFunction.COLUMN_SUMS_F32, gridFor(cols, BLOCK), BLOCK, dst, src, (long) rows, cols);
        checks.close("column sums " + label, Shape.of(cols), expected, run.read(dst));
    }

    private static void globalAveragePool(Random rnd, HostRun run, HostChecks checks, String label) {
        int n = 1 + rnd.nextInt(3), c = 1 + rnd.nextInt(20), h = 1 + rnd.nextInt(9), w = 1 + rnd.nextInt(9);
        Shape src = Shape.of(n, c, h, w);
        long planes = (long) n * c, hw = (long) h * w;
        double[] x = RandomTensors.uniform(rnd, (int) src.size(), -1, 1);
        HostRun.Buf xs = run.floats(narrow(x));
        double[] expected = ReferenceOps.run(new GlobalAvgPool(), List.of(TensorSpec.f32(src)), new double[][] {x})[0];
        inEveryOrder(run, checks, "global average pool " + label, Shape.of(n, c), expected, order -> {
            HostRun.Buf dst = run.nans((int) planes);
            run.launchOrdered(label, DeviceFunction.GLOBAL_AVG_POOL_F32, gridFor(planes, BLOCK / 32), BLOCK, order, rnd.nextLong(),
                    dst, xs, planes, hw);
            return run.read(dst);
        });
        double[] dy = RandomTensors.uniform(rnd, (int) planes, -1, 1);
        HostRun.Buf dx = run.nans((int) src.size()), dys = run.floats(narrow(dy));
        run.launch(label, DeviceFunction.GLOBAL_AVG_POOL_BWD_F32, elementwiseGrid(planes * hw), BLOCK, dx, dys, planes, hw);
        checks.close("global average pool backward " + label, src, ReferenceOps.run(new GlobalAvgPoolBwd(src),
                List.of(TensorSpec.f32(n, c)), new double[][] {dy})[0], run.read(dx));
    }

    /**
     * L2Penalty as CudaL2Penalty launches it (per-block double partials over partialsGrid(n) blocks of BLOCK, then one
     * block of REDUCTION_BLOCK sums them) and with other block sizes for the second pass; mean_f32 with the engine's block.
     */
    private static void l2PenaltyAndMean(Random rnd, HostRun run, HostChecks checks, String label) {
        int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 100 : 5000);
        double[] w = RandomTensors.uniform(rnd, n, -1, 1);
        float lambda = (float) (1e-4 + rnd.nextDouble());
        HostRun.Buf ws = run.floats(narrow(w));
        double[] penalty = ReferenceOps.run(new L2Penalty(lambda), List.of(TensorSpec.f32(n)), new double[][] {w})[0];
        int block = rnd.nextBoolean() ? REDUCTION_BLOCK : 32 * (1 + rnd.nextInt(32));
        int blocks = partialsGrid(n);
        inEveryOrder(run, checks, "l2 penalty (" + blocks + " partials, block " + block + ") " + label, Shape.of(1), penalty, order -> {
            HostRun.Buf partials = run.nans(2 * blocks);             // one double per first-pass block
            HostRun.Buf out = run.nans(1);
            run.launchOrdered(label, DeviceFunction.L2_PENALTY_BLOCKS_F32, blocks, BLOCK, order, rnd.nextLong(), partials, ws, (long) n);
            run.launchOrdered(label, DeviceFunction.L2_PENALTY_SUM_F32, 1, block, order, rnd.nextLong(), out, partials, lambda, blocks);
            return run.read(out);
        });
        double[] mean = ReferenceOps.run(new GlobalAvgPool(), List.of(TensorSpec.f32(1, 1, 1, n)), new double[][] {w})[0];
        inEveryOrder(run, checks, "mean " + label, Shape.of(1), mean, order -> {
            HostRun.Buf out = run.nans(1);
            run.launchOrdered(label, DeviceFunction.MEAN_F32, 1, warpMultiple(n, REDUCTION_BLOCK), order, rnd.nextLong(), out, ws,
                    (long) n);
            return run.read(out);
        });
    }

    /**
     * As CudaSoftmaxCrossEntropy launches it: one block per row (warpMultiple(classes, 256) threads) writes the row
     * losses and the probabilities, mean_f32 averages the rows; then the element-wise backward. Logits are sometimes
     * large (|z| up to 40) and rows sometimes wider than a block. A sparse label outside [0, classes) gives NaN.
     */
    private static void softmaxCrossEntropy(Random rnd, HostRun run, HostChecks checks, String label) {
        boolean sparse = rnd.nextBoolean();
        int rows = 1 + rnd.nextInt(24), classes = 1 + rnd.nextInt(rnd.nextBoolean() ? 12 : 400);
        double scale = rnd.nextInt(4) == 0 ? 40 : 3;
        double[] z = RandomTensors.uniform(rnd, rows * classes, -scale, scale);
        double[] y = sparse ? RandomTensors.classIndices(rnd, rows, classes)
                : rnd.nextBoolean() ? RandomTensors.oneHotRows(rnd, rows, classes) : RandomTensors.probabilityRows(rnd, rows, classes);
        TensorSpec logits = TensorSpec.f32(rows, classes), labels = sparse ? TensorSpec.f32(rows) : logits;
        double[][] expected = ReferenceOps.run(new SoftmaxCrossEntropy(sparse), List.of(logits, labels), new double[][] {z, y});
        double[] rowLoss = new double[rows];
        for (int r = 0; r < rows; r++) {
            double[] zr = Arrays.copyOfRange(z, r * classes, (r + 1) * classes);
            double[] yr = sparse ? new double[] {y[r]} : Arrays.copyOfRange(y, r * classes, (r + 1) * classes);
            rowLoss[r] = ReferenceOps.run(new SoftmaxCrossEntropy(sparse), List.of(TensorSpec.f32(1, classes),
                    sparse ? TensorSpec.f32(1) : TensorSpec.f32(1, classes)), new double[][] {zr, yr})[0][0];
        }
        HostRun.Buf zs = run.floats(narrow(z)), ys = run.floats(narrow(y)), probs = run.nans(rows * classes);
        int sparseFlag = sparse ? 1 : 0;
        String what = (sparse ? "sparse" : "dense") + " softmax cross-entropy " + label;
        HostRun.Buf[] losses = new HostRun.Buf[1];
        inEveryOrder(run, checks, "row losses of " + what, Shape.of(rows), rowLoss, order -> {
            losses[0] = run.nans(rows);
            run.launchOrdered(label, DeviceFunction.SOFTMAX_XENT_FWD_F32, rows, warpMultiple(classes, 256), order, rnd.nextLong(),
                    losses[0], probs, zs, ys, (long) rows, classes, sparseFlag);
            return run.read(losses[0]);
        });
        checks.close("probabilities of " + what, logits.shape(), expected[1], run.read(probs));
        HostRun.Buf loss = run.nans(1);
        run.launch(label, DeviceFunction.MEAN_F32, 1, warpMultiple(rows, REDUCTION_BLOCK), loss, losses[0], (long) rows);
        checks.close("loss of " + what, Shape.of(1), expected[0], run.read(loss));

        double[] dLoss = {(float) (0.5 + rnd.nextDouble())};
        double[] dz = ReferenceOps.run(new SoftmaxCrossEntropyBwd(sparse), List.of(logits, labels, TensorSpec.f32(1)),
                new double[][] {expected[1], y, dLoss})[0];
        HostRun.Buf dzs = run.nans(rows * classes), dLossBuf = run.floats(narrow(dLoss));
        HostRun.Buf refProbs = run.floats(narrow(expected[1]));
        run.launch(label, DeviceFunction.SOFTMAX_XENT_BWD_F32, elementwiseGrid((long) rows * classes), BLOCK, dzs, refProbs,
                ys, dLossBuf, (long) rows, classes, sparseFlag);
        checks.close("gradient of " + what, logits.shape(), dz, run.read(dzs));

        if (sparse) {  // an out-of-range label: that row's loss is NaN, the others are unaffected
            float[] bad = narrow(y);
            int r = rnd.nextInt(rows);
            bad[r] = rnd.nextBoolean() ? classes : -1;
            HostRun.Buf badLabels = run.floats(bad), badLoss = run.nans(rows), badProbs = run.nans(rows * classes);
            run.launch(label, DeviceFunction.SOFTMAX_XENT_FWD_F32, rows, warpMultiple(classes, 256), badLoss, badProbs, zs,
                    badLabels, (long) rows, classes, 1);
            HostRun.Readback back = run.read(badLoss);
            checks.later(() -> {
                float[] got = back.floats();
                for (int k = 0; k < rows; k++) {
                    assertTrue(k == r ? Float.isNaN(got[k]) : Math.abs(got[k] - rowLoss[k]) <= 1e-4 + 1e-3 * rowLoss[k],
                            "row " + k + " loss " + got[k] + " with label " + bad[k] + " (" + classes + " classes), " + label);
                }
            });
        }
    }

    /** Runs {@code launch} once per thread order; checks the first against the reference and all for bitwise equality. */
    private static void inEveryOrder(HostRun run, HostChecks checks, String what, Shape shape, double[] expected,
                                     Function<HostRun.Order, HostRun.Readback> launch) {
        HostRun.Readback[] backs = new HostRun.Readback[HostRun.Order.values().length];
        for (HostRun.Order o : HostRun.Order.values()) backs[o.ordinal()] = launch.apply(o);
        checks.close(what, shape, expected, backs[0]);
        checks.later(() -> {
            for (int o = 1; o < backs.length; o++) {
                assertArrayEquals(backs[0].floats(), backs[o].floats(), what + ": threads in " + HostRun.Order.values()[o]
                        + " order give other bits than in FORWARD order");
            }
        });
    }
}
