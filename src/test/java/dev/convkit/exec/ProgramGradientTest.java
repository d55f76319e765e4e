package dev.convkit.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendProvider;
import dev.convkit.graph.Instr;
import dev.convkit.graph.Model;
import dev.convkit.graph.Program;
import dev.convkit.graph.ProgramBuilder;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.ops.BatchNormReluTrain;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.Shape;
import dev.convkit.testing.Closeness;
import dev.convkit.testing.TestBackends;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Gradients of a whole training program ({@link GradientTestModel}: strided TF-'same' conv, BN, ReLU, residual
 * add, concat, max-pool, flatten, global average pool, dense, sparse softmax cross-entropy, l2 penalties):
 * (a) the backward instructions autodiff emitted, evaluated in float64 by {@link ReferenceProgramRunner}, against
 * central finite differences of the program's own forward loss; (b) each engine's f32 gradients, observed as the
 * parameter change of one plain SGD step with lr = 1 and momentum 0 (p ← p − g), against that float64 reference.
 */
class ProgramGradientTest {
    private static final int BATCH = 4;
    private static final double EPS = 1e-6;
    /**
     * Finite-difference tolerance: |analytic − numeric| ≤ 1e-8 + 1e-6·max(|analytic|, |numeric|). With ε = 1e-6 in
     * double the truncation error is O(ε²) ≈ 1e-12 and the cancellation error about ulp(L ≈ 2)/ε ≈ 4e-10 times the
     * few hundred terms feeding L; a wrong gradient rule or a wrong wiring is off by far more than 1e-6 relative.
     */
    private static final double FD_ATOL = 1e-8, FD_RTOL = 1e-6;
    /**
     * Engine (f32) tolerance per gradient tensor: |engine − reference| ≤ 1e-3·|reference| + 2e-4·max|reference|
     * + 1e-6. The absolute part scales with the tensor because an f32 sum over the batch cancels to ~1e-7 of its
     * terms; the 1e-6 floor is the read-out: the gradient is p_before − p_after in f32 with |p| ≤ 1.5, exact to
     * ulp(1.5) ≈ 1.2e-7, and a conv bias followed by BN has a true gradient of 0 that f32 leaves at ~1e-7. A wrong
     * index, padding side or missing contribution is off by O(max|reference|).
     */
    private static final double ENGINE_RTOL = 1e-3, ENGINE_SCALED_ATOL = 2e-4, ENGINE_FLOOR = 1e-6;
    private static final int SAMPLES_PER_PARAM = 6;

    private final Model model = GradientTestModel.build();
    private final Program program = ProgramBuilder.training(model, BATCH, Labels.SPARSE);
    private final ReferenceProgramRunner runner = new ReferenceProgramRunner(program);
    private final Map<String, double[]> params = GradientTestModel.parameters(model, 42);
    private final double[] image = GradientTestModel.uniform(new Random(7), BATCH * 3 * 8 * 8, -1, 1);
    private final double[] labels = {0, 3, 1, 4};

    @Test void programHasEveryOpKindAndAGradientForEveryTrainableParameter() {
        Set<String> ops = new LinkedHashSet<>();
        for (Instr i : program.instrs()) ops.add(i.op().name());
        for (String want : List.of("conv2d", "batch_norm_train", "relu", "add", "concat", "max_pool2d", "flatten",
                "global_avg_pool", "dense", "sparse_softmax_xent", "l2_penalty", "conv2d_bwd_data", "conv2d_bwd_filter",
                "batch_norm_bwd", "relu_bwd", "split", "max_pool2d_bwd", "unflatten", "global_avg_pool_bwd",
                "dense_bwd_data", "dense_bwd_weights", "sparse_softmax_xent_bwd", "l2_penalty_bwd")) {
            assertTrue(ops.contains(want), "training program lacks " + want + "; it has " + ops + "\n" + program.listing());
        }
        List<String> trainable = model.params().keySet().stream().filter(n -> GradientTestModel.trainable(model, n)).toList();
        assertEquals(trainable, List.copyOf(program.paramGrads().keySet()), "every trainable parameter needs a gradient");
        Conv2d down = (Conv2d) program.instrs().get(0).op();
        assertEquals(new Window2d(3, 3, 2, 2, 0, 1, 0, 1, 1, 1), down.window(), "stride-2 'same' on 8x8 pads 0 before and 1 after");
    }

    @Test void backwardProgramMatchesFiniteDifferencesOfTheForwardLoss() {
        ReferenceProgramRunner.Run run = runner.run(params, new double[][] {image}, labels, 1, null);
        Map<String, double[]> analytic = runner.gradients(run);
        double loss = run.scalar(program.loss());
        assertEquals(loss, runner.loss(params, new double[][] {image}, labels), 0.0, "forward prefix must give the full run's loss");
        assertTrue(loss > run.scalar(program.dataLoss()), "the l2 penalties must add to the data loss");

        Random pick = new Random(3);
        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        double worst = 0;
        for (Map.Entry<String, double[]> e : analytic.entrySet()) {
            double[] g = e.getValue();
            for (int k : sampleIndices(g.length, pick)) {
                double numeric = finiteDifference(e.getKey(), k);
                double tol = FD_ATOL + FD_RTOL * Math.max(Math.abs(g[k]), Math.abs(numeric));
                worst = Math.max(worst, Math.abs(g[k] - numeric) / tol);
                if (!(Math.abs(g[k] - numeric) <= tol)) {
                    mismatches.add(e.getKey() + "[" + k + "]: backward program " + g[k] + ", finite difference " + numeric);
                }
                checked++;
            }
        }
        System.out.printf(Locale.ROOT, "ProgramGradientTest: %d sampled gradient entries of %d tensors vs finite differences, "
                + "loss %.6f, worst error/tolerance %.3g%n", checked, analytic.size(), loss, worst);
        if (!mismatches.isEmpty()) fail(mismatches.size() + " of " + checked + " gradient entries disagree with finite differences:\n  "
                + String.join("\n  ", mismatches) + "\n" + program.listing());
    }

    /**
     * The same model lowered with fused BN + ReLU (as the cpu engine gets it): the float64 loss and every gradient
     * equal those of the basic program above, which the finite differences check. So the fused ops' gradient rule
     * is right wherever the fusion applies.
     */
    @Test void fusedProgramGivesTheSameLossAndGradients() {
        Program fused = ProgramBuilder.training(model, BATCH, Labels.SPARSE, op -> true);
        long pairs = fused.instrs().stream().filter(i -> i.op() instanceof BatchNormReluTrain).count();
        assertTrue(pairs > 0, "the test model must have a BN read only by a ReLU:\n" + fused.listing());
        // each fusion absorbs one relu; the kept leaky_relu (side_leaky) replaces the two relus of its decomposition
        assertEquals(program.instrs().stream().filter(i -> i.op().name().equals("relu")).count() - pairs - 2,
                fused.instrs().stream().filter(i -> i.op().name().equals("relu")).count(), "relu count");
        ReferenceProgramRunner fusedRunner = new ReferenceProgramRunner(fused);
        ReferenceProgramRunner.Run plainRun = runner.run(params, new double[][] {image}, labels, 1, null);
        ReferenceProgramRunner.Run fusedRun = fusedRunner.run(params, new double[][] {image}, labels, 1, null);
        assertEquals(plainRun.scalar(program.loss()), fusedRun.scalar(fused.loss()), 1e-12, "loss");
        Map<String, double[]> plain = runner.gradients(plainRun), withFusion = fusedRunner.gradients(fusedRun);
        assertEquals(plain.keySet(), withFusion.keySet());
        for (String name : plain.keySet()) {
            double scale = 1e-12 * (1 + Arrays.stream(plain.get(name)).map(Math::abs).max().orElse(0));
            assertArrayEquals(plain.get(name), withFusion.get(name), scale, "gradient of " + name);
        }
    }

    @Test void runningStatisticUpdatesAreSideEffectsKeptOutOfRepeatedEvaluations() {
        Map<String, double[]> before = deepCopy(params);
        ReferenceProgramRunner.Run first = runner.run(params, new double[][] {image}, labels, 1, null);
        ReferenceProgramRunner.Run second = runner.run(params, new double[][] {image}, labels, 1, null);
        assertEquals(first.scalar(program.loss()), second.scalar(program.loss()), 0.0, "a second evaluation must see the same state");
        for (String name : params.keySet()) assertArrayEquals(before.get(name), params.get(name), 0.0, name + " must not be modified by a run");
        // The side effect itself happened in the run's own copy: moving = 0.8·moving + 0.2·batch statistic.
        double[] moved = first.state().get("down_bn/moving_mean");
        assertTrue(Closeness.maxAbsDifference(before.get("down_bn/moving_mean"), moved) > 1e-3, "training must update moving_mean");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.convkit.testing.TestBackends#providers")
    void engineGradientsMatchTheFloat64Program(BackendProvider provider) {
        ReferenceProgramRunner.Run ref = runner.run(params, new double[][] {image}, labels, 1, null);
        Map<String, double[]> expected = runner.gradients(ref);
        try (Backend backend = TestBackends.open(provider);
             CompiledModel cm = new CompiledModel(model, backend, new SgdUpdate(0f, false))) {
            Map<String, float[]> start = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> e : params.entrySet()) start.put(e.getKey(), GradientTestModel.toFloat(e.getValue()));
            cm.loadParameters(start);
            CompiledModel.StepResult r = cm.trainStep(new float[][] {GradientTestModel.toFloat(image)}, GradientTestModel.toFloat(labels),
                    Labels.SPARSE, 1f);
            Map<String, float[]> after = cm.parameters();

            double refLoss = ref.scalar(program.loss());
            assertEquals(refLoss, r.loss(), 1e-5 * Math.abs(refLoss) + 1e-6, "total loss");
            assertEquals(ref.scalar(program.dataLoss()), r.dataLoss(), 1e-5 * Math.abs(refLoss) + 1e-6, "data loss");

            Map<String, Double> worstByTensor = new HashMap<>();
            for (Map.Entry<String, double[]> e : expected.entrySet()) {
                float[] p0 = start.get(e.getKey()), p1 = after.get(e.getKey());
                double[] observed = new double[p0.length];
                for (int k = 0; k < p0.length; k++) observed[k] = (double) p0[k] - p1[k];
                double scale = 0;
                for (double v : e.getValue()) scale = Math.max(scale, Math.abs(v));
                Closeness.Tolerance tol = new Closeness.Tolerance(ENGINE_SCALED_ATOL * scale + ENGINE_FLOOR, ENGINE_RTOL);
                Closeness.assertClose(provider.name() + " gradient of " + e.getKey(), model.params().get(e.getKey()).shape(),
                        e.getValue(), observed, tol);
                double ratio = 0;
                for (int k = 0; k < observed.length; k++) {
                    double exp = e.getValue()[k];
                    ratio = Math.max(ratio, Math.abs(observed[k] - exp) / (tol.atol() + tol.rtol() * Math.abs(exp)));
                }
                worstByTensor.put(e.getKey(), ratio);
            }
            // BN moving statistics after the step: updated in place by the engine as by the reference.
            for (Map.Entry<String, double[]> e : ref.state().entrySet()) {
                if (GradientTestModel.trainable(model, e.getKey())) continue;
                Shape shape = model.params().get(e.getKey()).shape();
                Closeness.assertClose(provider.name() + " " + e.getKey() + " after one step", shape, e.getValue(),
                        GradientTestModel.toDouble(after.get(e.getKey())), new Closeness.Tolerance(1e-5, 1e-4));
            }
            double worst = worstByTensor.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            System.out.printf(Locale.ROOT, "ProgramGradientTest[%s]: loss %.7f (reference %.7f), worst gradient error/tolerance "
                    + "over %d tensors %.3g%n", provider.name(), r.loss(), refLoss, worstByTensor.size(), worst);
        }
    }

    /** Central difference of the total loss w.r.t. element k of parameter {@code name}; each evaluation starts fresh. */
    private double finiteDifference(String name, int k) {
        Map<String, double[]> plus = deepCopy(params), minus = deepCopy(params);
        plus.get(name)[k] += EPS;
        minus.get(name)[k] -= EPS;
        double[][] in = {image};
        return (runner.loss(plus, in, labels) - runner.loss(minus, in, labels)) / (2 * EPS);
    }

    /** The first and last entries plus random ones, at most {@link #SAMPLES_PER_PARAM} distinct indices. */
    private static List<Integer> sampleIndices(int n, Random rnd) {
        Set<Integer> s = new LinkedHashSet<>(List.of(0, n - 1));
        while (s.size() < Math.min(n, SAMPLES_PER_PARAM)) s.add(rnd.nextInt(n));
        return List.copyOf(s);
    }

    private static Map<String, double[]> deepCopy(Map<String, double[]> m) {
        Map<String, double[]> c = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : m.entrySet()) c.put(e.getKey(), e.getValue().clone());
        return c;
    }
}
