package dev.convkit.backend.cuda;

import static dev.convkit.backend.cuda.HostChecks.narrow;
import static dev.convkit.backend.cuda.KernelGeometry.BLOCK;
import static dev.convkit.backend.cuda.KernelGeometry.elementwiseGrid;

import dev.convkit.ops.AdamUpdate;
import dev.convkit.ops.EmaUpdate;
import dev.convkit.ops.Op;
import dev.convkit.ops.RmsPropUpdate;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.tensor.Shape;
import dev.convkit.tensor.TensorSpec;
import dev.convkit.testing.RandomTensors;
import dev.convkit.testing.ReferenceOps;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * optim.cu on the CPU (HostKernels): SGD (plain, momentum, Nesterov), Adam, RMSprop and the weights' moving average,
 * three consecutive steps in place from random state, each step against the float64 reference run on the same state (the reference updates its
 * arrays in place too). Steps t are random in [1, 2000], learning rates in [1e-4, 0.1].
 */
class HostOptimKernelsTest {
    private static final int CASES = 150;
    private static final int STEPS = 3;

    @BeforeEach
    void needsCompiler() { HostKernels.driver(); }

    @Test
    void optimizerKernelsMatchTheReference() {
        Random rnd = new Random(17);
        HostChecks checks = new HostChecks("optim");
        HostRun run = new HostRun();
        for (int i = 0; i < CASES; i++) {
            run.freeAll();
            checks.newCase();
            int n = 1 + rnd.nextInt(rnd.nextBoolean() ? 50 : 3000);
            int grid = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(2) : elementwiseGrid(n);
            String label = "case " + i + " n " + n;
            float momentum = rnd.nextBoolean() ? 0f : (float) (0.5 + 0.45 * rnd.nextDouble());
            boolean nesterov = rnd.nextBoolean();
            update(rnd, run, checks, label, n, grid, new SgdUpdate(momentum, nesterov), 1, (bufs, hyper) ->
                    run.launch(label, DeviceFunction.SGD_UPDATE_F32, grid, BLOCK, bufs.get(0), bufs.get(1), bufs.get(2), hyper,
                            (long) n, momentum, nesterov ? 1 : 0));
            AdamUpdate adam = rnd.nextBoolean() ? AdamUpdate.kerasDefaults()
                    : new AdamUpdate((float) (0.5 + 0.45 * rnd.nextDouble()), (float) (0.9 + 0.0999 * rnd.nextDouble()), 1e-5f);
            update(rnd, run, checks, label, n, grid, adam, 2, (bufs, hyper) ->
                    run.launch(label, DeviceFunction.ADAM_UPDATE_F32, grid, BLOCK, bufs.get(0), bufs.get(1), bufs.get(2),
                            bufs.get(3), hyper, (long) n, adam.beta1(), adam.beta2(), adam.epsilon()));
            RmsPropUpdate rms = rnd.nextBoolean() ? RmsPropUpdate.kerasDefaults() : new RmsPropUpdate(0.5f, 1e-4f);
            update(rnd, run, checks, label, n, grid, rms, 1, (bufs, hyper) ->
                    run.launch(label, DeviceFunction.RMSPROP_UPDATE_F32, grid, BLOCK, bufs.get(0), bufs.get(1), bufs.get(2),
                            hyper, (long) n, rms.rho(), rms.epsilon()));
            ema(rnd, run, checks, label, n, grid, new EmaUpdate(rnd.nextBoolean() ? 0.999f : (float) rnd.nextDouble()));
        }
        checks.execute(run);
        System.out.println(checks.summary());
    }

    /** Launches one update given the buffers (param, grad, state...) and the hyper buffer. */
    private interface Step {
        void launch(List<HostRun.Buf> bufs, HostRun.Buf hyper);
    }

    /**
     * Runs STEPS updates of {@code op} (inputs param, grad, {@code states} state slices, hyper) on the host and on the
     * reference, checking param and every state after each step.
     */
    private static void update(Random rnd, HostRun run, HostChecks checks, String label, int n, int grid, Op op,
                               int states, Step step) {
        double[][] ref = new double[3 + states][];
        ref[0] = RandomTensors.uniform(rnd, n, -1, 1);
        for (int s = 0; s < states; s++) {
            ref[2 + s] = s == 1 || op instanceof RmsPropUpdate ? RandomTensors.uniform(rnd, n, 0, 0.1)
                    : RandomTensors.uniform(rnd, n, -0.1, 0.1);  // second moments are non-negative
        }
        List<HostRun.Buf> bufs = new ArrayList<>();
        bufs.add(run.floats(narrow(ref[0])));
        bufs.add(null);  // the gradient of each step
        for (int s = 0; s < states; s++) bufs.add(run.floats(narrow(ref[2 + s])));
        List<TensorSpec> specs = new ArrayList<>();
        for (int k = 0; k < 2 + states; k++) specs.add(TensorSpec.f32(n));
        specs.add(TensorSpec.f32(2));
        int t = 1 + rnd.nextInt(2000);
        for (int k = 0; k < STEPS; k++, t++) {
            ref[1] = RandomTensors.uniform(rnd, n, -1, 1);
            ref[2 + states] = new double[] {(float) Math.exp(Math.log(1e-4) + rnd.nextDouble() * Math.log(1e3)), t};
            bufs.set(1, run.floats(narrow(ref[1])));
            step.launch(bufs, run.floats(narrow(ref[2 + states])));
            ReferenceOps.run(op, specs, ref);
            String what = op + " step " + (k + 1) + " (t " + t + ") " + label;
            checks.close("param after " + what, Shape.of(n), ref[0].clone(), run.read(bufs.get(0)));
            for (int s = 0; s < states; s++) {
                checks.close("state " + s + " after " + what, Shape.of(n), ref[2 + s].clone(), run.read(bufs.get(2 + s)));
            }
        }
    }

    /** STEPS moving-average updates from a random average towards a new random value each step, t from 1 or later. */
    private static void ema(Random rnd, HostRun run, HostChecks checks, String label, int n, int grid, EmaUpdate op) {
        double[][] ref = {RandomTensors.uniform(rnd, n, -1, 1), null, null};
        HostRun.Buf average = run.floats(narrow(ref[0]));
        List<TensorSpec> specs = List.of(TensorSpec.f32(n), TensorSpec.f32(n), TensorSpec.f32(2));
        int t = rnd.nextBoolean() ? 1 : 1 + rnd.nextInt(20000);
        for (int k = 0; k < STEPS; k++, t++) {
            ref[1] = RandomTensors.uniform(rnd, n, -1, 1);
            ref[2] = new double[] {0.01, t};
            run.launch(label, DeviceFunction.EMA_UPDATE_F32, grid, BLOCK, average, run.floats(narrow(ref[1])), run.floats(narrow(ref[2])),
                    (long) n, op.momentum());
            ReferenceOps.run(op, specs, ref);
            checks.close("average after " + op + " step " + (k + 1) + " (t " + t + ") " + label, Shape.of(n), ref[0].clone(), run.read(average));
        }
    }
}
