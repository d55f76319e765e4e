package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.HostChecks.narrow;
import static dev.convkit.backend.cuda.KernelGeometry.BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;
import static dev.convkit.backend.cuda.KernelGeometry.gridFor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.convkit.ops.ActivationOp;
import dev.convkit.ops.ActivationBwd;
import dev.convkit.ops.AddOp;
import dev.convkit.ops.BatchNormInfer;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.DenseOp;
import dev.convkit.ops.DropoutOp;
import dev.convkit.ops.L2PenaltyBwd;
import dev.convkit.ops.LeakyRelu;
import dev.convkit.ops.Mul;
import dev.convkit.ops.Scale;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import dev.convkit.testing.RandomTensors;
import dev.convkit.testing.ReferenceOps;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * elementwise.cu, dropout.cu and batchnorm.cu on the CPU (HostKernels) against the float64 reference, over random odd
 * sizes, with the engine's launch geometry or (a quarter of the cases) a small grid so that grid-stride loops wrap.
 */
class HostElementwiseKernelsTest {
    private static final int CASES = 300;

    @BeforeEach
    void needsCompiler() { HostKernels.driver(); }

    @Test
    void elementwiseKernelsMatchTheReference() {
        Random rnd = new Random(7);
        HostChecks checks = new HostChecks("elementwise");
        HostRun run = new HostRun();
        for (int i = 0; i < CASES; i++) {
            run.freeAll();
            checks.newCase();
            String label = "case " + i;
            int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 40 : 3000);
            Shape shape = Shape.of(n);
            List<TensorSpec> one = List.of(TensorSpec.f32(n));
            int grid = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(2) : elementwiseGrid(n);
            double[] a = RandomTensors.uniform(rnd, n, -2, 2), b = RandomTensors.uniform(rnd, n, -2, 2);
            HostRun.Buf as = run.floats(narrow(a)), bs = run.floats(narrow(b));

            sum(rnd, run, checks, label, n, grid);

            HostRun.Buf prod = run.nans(n);
            run.launch(label, DeviceFunction.MUL_F32, grid, BLOCK, prod, as, bs, (long) n);
            checks.close("mul " + label, shape, ReferenceOps.run(new Mul(), List.of(one.get(0), one.get(0)),
                    new double[][] {a, b})[0], run.read(prod));

            float alpha = (float) (rnd.nextDouble() * 4 - 2);
            HostRun.Buf scaled = run.nans(n);
            run.launch(label, DeviceFunction.SCALE_F32, grid, BLOCK, scaled, as, alpha, (long) n);
            checks.close("scale " + label, shape, ReferenceOps.run(new Scale(alpha), one, new double[][] {a})[0],
                    run.read(scaled));

            double[] y = new double[n];  // a relu output: exact zeros, and positives
            for (int k = 0; k < n; k++) y[k] = Math.max(0, a[k]);
            HostRun.Buf ys = run.floats(narrow(y)), dx = run.nans(n);
            run.launch(label, DeviceFunction.RELU_BWD_F32, grid, BLOCK, dx, ys, bs, (long) n);
            checks.close("relu backward " + label, shape, ReferenceOps.run(new ActivationBwd(ActivationOp.Kind.RELU),
                    List.of(one.get(0), one.get(0)), new double[][] {y, b})[0], run.read(dx));

            double[] y6 = new double[n];  // a relu6 output: exact 0s and 6s, and values between
            for (int k = 0; k < n; k++) y6[k] = Math.min(Math.max(0, 4 * a[k]), 6);
            HostRun.Buf y6s = run.floats(narrow(y6)), dx6 = run.nans(n);
            run.launch(label, DeviceFunction.RELU6_BWD_F32, grid, BLOCK, dx6, y6s, bs, (long) n);
            checks.close("relu6 backward " + label, shape, ReferenceOps.run(new ActivationBwd(ActivationOp.Kind.RELU6),
                    List.of(one.get(0), one.get(0)), new double[][] {y6, b})[0], run.read(dx6));

            leakyRelu(new Random(1_000 + i), run, checks, label, n, grid, a, b, bs);

            double[] sig = new double[n], th = new double[n];   // sigmoid and tanh outputs, as the forward pass wrote them
            for (int k = 0; k < n; k++) {
                sig[k] = (float) (1 / (1 + Math.exp(-4 * a[k])));
                th[k] = (float) Math.tanh(2 * a[k]);
            }
            HostRun.Buf sigs = run.floats(narrow(sig)), dSig = run.nans(n);
            run.launch(label, DeviceFunction.SIGMOID_BWD_F32, grid, BLOCK, dSig, sigs, bs, (long) n);
            checks.close("sigmoid backward " + label, shape, ReferenceOps.run(new ActivationBwd(ActivationOp.Kind.SIGMOID),
                    List.of(one.get(0), one.get(0)), new double[][] {sig, b})[0], run.read(dSig));
            HostRun.Buf ths = run.floats(narrow(th)), dTh = run.nans(n);
            run.launch(label, DeviceFunction.TANH_BWD_F32, grid, BLOCK, dTh, ths, bs, (long) n);
            checks.close("tanh backward " + label, shape, ReferenceOps.run(new ActivationBwd(ActivationOp.Kind.TANH),
                    List.of(one.get(0), one.get(0)), new double[][] {th, b})[0], run.read(dTh));

            float lambda = (float) (1e-3 + rnd.nextDouble());
            double[] dPenalty = {(float) (rnd.nextDouble() * 3 - 1)};
            HostRun.Buf dw = run.nans(n), dps = run.floats(narrow(dPenalty));
            run.launch(label, DeviceFunction.L2_PENALTY_BWD_F32, grid, BLOCK, dw, as, dps, lambda, (long) n);
            checks.close("l2 penalty backward " + label, shape, ReferenceOps.run(new L2PenaltyBwd(lambda),
                    List.of(one.get(0), TensorSpec.f32(1)), new double[][] {a, dPenalty})[0], run.read(dw));

            biasAdd(rnd, run, checks, label);
            dropout(rnd, run, checks, label, n, a, as, grid);
            batchNormStatistics(rnd, run, checks, label);
        }
        checks.execute(run);
        System.out.println(checks.summary());
    }

    /**
     * LeakyRelu and LeakyRelu.Bwd against their decomposition in the reference, at a random slope (negative ones too),
     * on a src with exact zeros, where the gradient is 0. Its own {@code rnd} leaves the other cases' draws as they were.
     */
    private static void leakyRelu(Random rnd, HostRun run, HostChecks checks, String label, int n, int grid,
                                  double[] a, double[] b, HostRun.Buf bs) {
        float slope = (float) (rnd.nextDouble() * 1.2 - 0.4);
        double[] x = a.clone();
        for (int k = 0; k < n; k += 7) x[k] = 0;
        HostRun.Buf xs = run.floats(narrow(x)), y = run.nans(n), dx = run.nans(n);
        List<TensorSpec> one = List.of(TensorSpec.f32(n));
        run.launch(label, DeviceFunction.LEAKY_RELU_FWD_F32, grid, BLOCK, y, xs, slope, (long) n);
        checks.close("leaky relu " + label, Shape.of(n), ReferenceOps.run(new LeakyRelu(slope), one,
                new double[][] {x})[0], run.read(y));
        run.launch(label, DeviceFunction.LEAKY_RELU_BWD_F32, grid, BLOCK, dx, xs, bs, slope, (long) n);
        checks.close("leaky relu backward " + label, Shape.of(n), ReferenceOps.run(new LeakyRelu.Bwd(slope),
                List.of(one.get(0), one.get(0)), new double[][] {x, b})[0], run.read(dx));
    }

    /** AddOp of 2 to 12 inputs as CudaElementwise launches it: 8 per launch, later launches add to dst (s0 = dst). */
    private static void sum(Random rnd, HostRun run, HostChecks checks, String label, int n, int grid) {
        int arity = 2 + rnd.nextInt(11);
        double[][] xs = new double[arity][];
        List<HostRun.Buf> bufs = new ArrayList<>();
        for (int k = 0; k < arity; k++) {
            xs[k] = RandomTensors.uniform(rnd, n, -1, 1);
            bufs.add(run.floats(narrow(xs[k])));
        }
        HostRun.Buf dst = run.nans(n);
        int next = 0;
        while (next < arity) {
            boolean first = next == 0;
            int take = Math.min(arity - next, first ? 8 : 7);
            List<HostRun.Buf> sources = new ArrayList<>();
            if (!first) sources.add(dst);
            sources.addAll(bufs.subList(next, next + take));
            next += take;
            Object[] args = new Object[11];
            args[0] = dst;
            args[1] = (long) n;
            args[2] = sources.size();
            for (int s = 0; s < sources.size(); s++) args[3 + s] = sources.get(s);
            run.launch(label, DeviceFunction.SUM_F32, grid, BLOCK, args);
        }
        checks.close("sum of " + arity + " " + label, Shape.of(n), ReferenceOps.run(new AddOp(arity),
                Collections.nCopies(arity, TensorSpec.f32(n)), xs)[0], run.read(dst));
    }

    /** dst [rows, cols] += bias; the reference is DenseOp with an identity weight: x·I + bias. */
    private static void biasAdd(Random rnd, HostRun run, HostChecks checks, String label) {
        int rows = 1 + rnd.nextInt(20), cols = 1 + rnd.nextInt(40);
        double[] x = RandomTensors.uniform(rnd, rows * cols, -1, 1), bias = RandomTensors.uniform(rnd, cols, -1, 1);
        double[] identity = new double[cols * cols];
        for (int k = 0; k < cols; k++) identity[k * cols + k] = 1;
        double[] expected = ReferenceOps.run(new DenseOp(true), List.of(TensorSpec.f32(rows, cols), TensorSpec.f32(cols, cols),
                TensorSpec.f32(cols)), new double[][] {x, identity, bias})[0];
        HostRun.Buf dst = run.floats(narrow(x)), b = run.floats(narrow(bias));
        run.launch(label, DeviceFunction.BIAS_ADD_ROWS_F32, elementwiseGrid((long) rows * cols), BLOCK, dst, b,
                (long) rows, cols);
        checks.close("bias add " + label, Shape.of(rows, cols), expected, run.read(dst));
    }

    /** The mask must equal DropoutOp.keep element by element (exactly), dst = src · mask within f32 rounding. */
    private static void dropout(Random rnd, HostRun run, HostChecks checks, String label, int n, double[] a,
                                HostRun.Buf as, int grid) {
        DropoutOp op = new DropoutOp(rnd.nextInt(5) == 0 ? 0f : (float) (0.05 + 0.9 * rnd.nextDouble()), rnd.nextLong());
        double[] counter = {rnd.nextInt(1 << 20)};
        double[][] expected = ReferenceOps.run(op, List.of(TensorSpec.f32(n), TensorSpec.f32(1)), new double[][] {a, counter});
        HostRun.Buf dst = run.nans(n), mask = run.nans(n), counterBuf = run.floats(narrow(counter));
        float keepScale = op.keptScale();   // the one definition of the kept value
        run.launch(label, DeviceFunction.DROPOUT_FWD_F32, grid, BLOCK, dst, mask, as, counterBuf, op.seed(), op.rate(),
                keepScale, (long) n);
        HostRun.Readback maskBack = run.read(mask);
        checks.close("dropout " + op + " " + label, Shape.of(n), expected[0], run.read(dst));
        checks.later(() -> assertArrayEquals(narrow(expected[1]), maskBack.floats(), "dropout mask " + op + " " + label));
    }

    /**
     * bn_stats_from_saved_f32 turns cuDNN's saved (mean, 1 / sqrt(var + eps)) back into the reference's batch mean and
     * biased variance; bn_inv_std_from_var_f32 gives 1 / sqrt(var + eps), which is BatchNormInfer of x = 1 with mean
     * 0, gamma 1 and beta 0.
     */
    private static void batchNormStatistics(Random rnd, HostRun run, HostChecks checks, String label) {
        int n = 1 + rnd.nextInt(3), c = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 600), hw = 1 + rnd.nextInt(5);
        float eps = rnd.nextBoolean() ? 1e-3f : 1e-5f;
        Shape shape = Shape.of(n, c, 1, hw);
        double[] x = RandomTensors.uniform(rnd, n * c * hw, -2, 2);
        double[] ones = new double[c], zeros = new double[c];
        java.util.Arrays.fill(ones, 1);
        List<TensorSpec> specs = new ArrayList<>(List.of(TensorSpec.f32(shape)));
        for (int k = 0; k < 4; k++) specs.add(TensorSpec.f32(c));
        double[][] train = ReferenceOps.run(new BatchNormTrain(eps, 0.99f), specs,
                new double[][] {x, ones, zeros, zeros.clone(), ones.clone()});
        double[] mean = train[1], var = train[2];
        float[] savedInvStd = new float[c];
        for (int k = 0; k < c; k++) savedInvStd[k] = (float) (1 / Math.sqrt(var[k] + eps));
        HostRun.Buf meanOut = run.nans(c), varOut = run.nans(c);
        HostRun.Buf savedMean = run.floats(narrow(mean)), savedInv = run.floats(savedInvStd);
        run.launch(label, DeviceFunction.BN_STATS_FROM_SAVED_F32, gridFor(c, BLOCK), BLOCK, meanOut, varOut, savedMean,
                savedInv, eps, c);
        checks.close("batch-norm mean " + label, Shape.of(c), mean, run.read(meanOut));
        checks.close("batch-norm variance " + label, Shape.of(c), var, run.read(varOut));

        double[] inv = ReferenceOps.run(new BatchNormInfer(eps), List.of(TensorSpec.f32(1, c), TensorSpec.f32(c),
                TensorSpec.f32(c), TensorSpec.f32(c), TensorSpec.f32(c)), new double[][] {ones, ones, zeros, zeros, var})[0];
        HostRun.Buf invOut = run.nans(c), varIn = run.floats(narrow(var));
        run.launch(label, DeviceFunction.BN_INV_STD_FROM_VAR_F32, gridFor(c, BLOCK), BLOCK, invOut, varIn, eps, c);
        checks.close("batch-norm inverse std " + label, Shape.of(c), inv, run.read(invOut));

        // Running statistics as CudaBatchNorm updates them: the reference's in-place update of (runningMean, runningVar),
        // with count = N·H·W values per channel (1 when N = H·W = 1: the variance is then taken as is, not divided by 0).
        float momentum = rnd.nextBoolean() ? 0.99f : 0.9f;
        double[] runMean = RandomTensors.uniform(rnd, c, -1, 1), runVar = RandomTensors.uniform(rnd, c, 0.5, 2);
        HostRun.Buf rm = run.floats(narrow(runMean)), rv = run.floats(narrow(runVar));
        double[] expMean = narrowed(runMean), expVar = narrowed(runVar);
        ReferenceOps.run(new BatchNormTrain(eps, momentum), specs, new double[][] {x, ones, zeros, expMean, expVar});
        run.launch(label, DeviceFunction.BN_UPDATE_RUNNING_F32, gridFor(c, BLOCK), BLOCK, rm, rv, savedMean, run.floats(narrow(var)),
                momentum, (long) n * hw, c);
        checks.close("batch-norm running mean " + label, Shape.of(c), expMean, run.read(rm));
        checks.close("batch-norm running variance " + label, Shape.of(c), expVar, run.read(rv));
    }

    /** The float values a buffer made with narrow(v) holds, as doubles. */
    private static double[] narrowed(double[] v) {
        float[] f = narrow(v);
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }
}
