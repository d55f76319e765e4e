package dev.convkit.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendProvider;
import dev.convkit.graph.Instr;
import dev.convkit.graph.Model;
import dev.convkit.graph.ParamKind;
import dev.convkit.graph.ParamSpec;
import dev.convkit.graph.Precision;
import dev.convkit.graph.Program;
import dev.convkit.graph.ProgramBuilder;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.ops.L2Penalty;
import dev.convkit.ops.SgdUpdate;
import dev.convkit.testing.TestBackends;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Coupled weight decay wd on {@link GradientTestModel} (kernels of convs, a depthwise conv, a grouped conv and a
 * dense layer; two of them already carry a Keras l2): every kernel's gradient grows by exactly wd·w, every other
 * gradient (biases, BN gamma and beta) is unchanged, and the training loss grows by wd/2·Σ‖kernel‖².
 */
class WeightDecayTest {
    private static final int BATCH = 4;
    /** Large enough that wd·w (~1e-2) stands far above the f32 read-out error (~1e-7) of the engine check. */
    private static final double WD = 0.05;

    private final Model model = GradientTestModel.build();
    private final Map<String, double[]> params = GradientTestModel.parameters(model, 42);
    private final double[] image = GradientTestModel.uniform(new Random(7), BATCH * 3 * 8 * 8, -1, 1);
    private final double[] labels = {0, 3, 1, 4};

    private Program program(double wd) { return ProgramBuilder.training(model, BATCH, Labels.SPARSE, op -> false, Precision.FP32, wd); }

    @Test void eachKernelGetsOnePenaltyWithItsL2PlusHalfTheDecayAndNothingElseDoes() {
        Map<String, Float> lambdas = penalties(program(WD));
        Map<String, Float> want = new LinkedHashMap<>();
        for (Map.Entry<String, ParamSpec> e : model.params().entrySet()) {
            if (e.getValue().kind() == ParamKind.KERNEL) want.put(e.getKey(), (float) (e.getValue().l2() + WD / 2));
        }
        assertEquals(6, want.size(), "down, res_conv, side, dw, dw_project and dense kernels");
        assertEquals(want, lambdas, "one l2_penalty per kernel, λ = l2 + wd/2 (down and dense have l2 " + GradientTestModel.L2 + ")");
        assertEquals(Map.of("down/kernel", GradientTestModel.L2, "dense/kernel", GradientTestModel.L2), penalties(program(0)),
                "without decay only the architecture's l2 penalties");
    }

    @Test void kernelGradientsGrowByDecayTimesWeightOthersAreUnchangedLossGrowsByHalfDecaySquaredNorm() {
        Program plain = program(0), decayed = program(WD);
        ReferenceProgramRunner r0 = new ReferenceProgramRunner(plain), r1 = new ReferenceProgramRunner(decayed);
        ReferenceProgramRunner.Run run0 = r0.run(params, new double[][] {image}, labels, 1, null);
        ReferenceProgramRunner.Run run1 = r1.run(params, new double[][] {image}, labels, 1, null);
        Map<String, double[]> g0 = r0.gradients(run0), g1 = r1.gradients(run1);
        assertEquals(g0.keySet(), g1.keySet());

        double squares = 0;
        int kernels = 0;
        for (String name : g0.keySet()) {
            double[] w = params.get(name), a = g0.get(name), b = g1.get(name);
            boolean kernel = model.params().get(name).kind() == ParamKind.KERNEL;
            for (int k = 0; k < w.length; k++) {
                double want = kernel ? a[k] + WD * w[k] : a[k];
                assertEquals(want, b[k], 1e-6 * Math.abs(want) + 1e-12, "gradient of " + name + "[" + k + "] with weight decay " + WD);
                if (kernel) squares += w[k] * w[k];
            }
            if (kernel) kernels++;
        }
        assertEquals(6, kernels);
        assertEquals(run0.scalar(plain.dataLoss()), run1.scalar(decayed.dataLoss()), 0.0, "the data loss does not depend on decay");
        double growth = run1.scalar(decayed.loss()) - run0.scalar(plain.loss());
        assertEquals(WD / 2 * squares, growth, 1e-6 * WD / 2 * squares, "loss growth = wd/2·Σ‖kernel‖²");
        System.out.printf(Locale.ROOT, "WeightDecayTest: wd %.3g, Σ‖kernel‖² %.6f, loss %.7f → %.7f%n", WD, squares,
                run0.scalar(plain.loss()), run1.scalar(decayed.loss()));
    }

    /**
     * The engine's f32 gradients, read as the change of one plain SGD step with lr = 1 (p ← p − g), with and without
     * decay from the same start: their difference is wd·w on kernels and 0 elsewhere. Both steps see identical
     * inputs on a deterministic engine, so everything but the decay cancels to the f32 read-out error (ulp of
     * |p| ≤ 2 is 2.4e-7; the bound 1e-6 is about four of them, while wd·w is ~1e-2).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.convkit.testing.TestBackends#providers")
    void compiledModelAppliesTheDecayOnEveryEngine(BackendProvider provider) {
        Map<String, float[]> start = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : params.entrySet()) start.put(e.getKey(), GradientTestModel.toFloat(e.getValue()));
        try (Backend backend = TestBackends.open(provider)) {
            Step plain = step(backend, 0, start), decayed = step(backend, WD, start);
            assertEquals(plain.loss + WD / 2 * kernelSquares(start), decayed.loss, 1e-5 * Math.abs(decayed.loss), "training loss");
            double worst = 0;
            for (String name : start.keySet()) {
                ParamSpec spec = model.params().get(name);
                if (!spec.kind().trainable()) continue;
                float[] w = start.get(name), p0 = plain.after.get(name), p1 = decayed.after.get(name);
                for (int k = 0; k < w.length; k++) {
                    double extra = (double) p0[k] - p1[k];              // (w − g0) − (w − g1) = g1 − g0
                    double want = spec.kind() == ParamKind.KERNEL ? WD * w[k] : 0;
                    assertEquals(want, extra, 1e-6, provider.name() + ": decay's share of the gradient of " + name + "[" + k + "]");
                    worst = Math.max(worst, Math.abs(extra - want));
                }
            }
            System.out.printf(Locale.ROOT, "WeightDecayTest[%s]: loss %.7f → %.7f, worst |Δg − wd·w| %.3g%n", provider.name(),
                    plain.loss, decayed.loss, worst);
        }
    }

    @Test void negativeOrNonFiniteDecayIsRefused() {
        for (double bad : new double[] {-1e-4, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> program(bad));
            assertEquals("weight decay must be >= 0 and finite, got " + bad, e.getMessage());
        }
    }

    private record Step(double loss, Map<String, float[]> after) {}

    private Step step(Backend backend, double wd, Map<String, float[]> start) {
        try (CompiledModel cm = new CompiledModel(model, backend, new SgdUpdate(0f, false), Precision.FP32, wd)) {
            assertEquals(wd, cm.weightDecay());
            cm.loadParameters(start);
            CompiledModel.StepResult r = cm.trainStep(new float[][] {GradientTestModel.toFloat(image)}, GradientTestModel.toFloat(labels),
                    Labels.SPARSE, 1f);
            return new Step(r.loss(), cm.parameters());
        }
    }

    private double kernelSquares(Map<String, float[]> p) {
        double s = 0;
        for (Map.Entry<String, float[]> e : p.entrySet()) {
            if (model.params().get(e.getKey()).kind() != ParamKind.KERNEL) continue;
            for (float w : e.getValue()) s += (double) w * w;
        }
        return s;
    }

    /** Parameter name → λ of the program's forward l2_penalty instructions; fails on a second penalty of one parameter. */
    private static Map<String, Float> penalties(Program p) {
        Map<String, Float> m = new LinkedHashMap<>();
        for (Instr i : p.instrs()) {
            if (!(i.op() instanceof L2Penalty l2)) continue;
            String param = i.inputs().get(0).name();
            assertTrue(m.put(param, l2.lambda()) == null, "a second l2_penalty on " + param + ":\n" + p.listing());
        }
        return m;
    }
}
