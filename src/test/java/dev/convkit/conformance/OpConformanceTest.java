package dev.convkit.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendProvider;
import dev.convkit.backend.Kernel;
import dev.convkit.ops.Cast;
import dev.convkit.ops.Composite;
import dev.convkit.ops.Differentiable;
import dev.convkit.ops.Op;
import dev.convkit.testing.BackwardProgram;
import dev.convkit.testing.Bf16;
import dev.convkit.testing.Closeness;
import dev.convkit.testing.EngineHarness;
import dev.convkit.testing.RandomTensors;
import dev.convkit.testing.ReferenceOps;
import dev.convkit.testing.TestBackends;
import dev.convkit.tensor.DType;
import dev.convkit.tensor.Layout;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every engine × every case: the op's forward outputs and in-place inputs, then each backward op its gradient rule
 * emits and the resulting input gradients, all against {@link ReferenceOps}. The engine's own forward outputs feed
 * its backward ops, as in training; backward ops (those that are not themselves differentiable) are compiled with
 * the forward kernel as hint and run with its saved memory. Tolerances: {@link Closeness.Tolerance#F32} unless a
 * case states a tighter one. Unavailable engines are skipped with their reason.
 */
class OpConformanceTest {
    /** One opened instance per engine for the whole class: opening oneDNN or a CUDA context is the slow part. */
    private static final Map<String, Backend> OPENED = new HashMap<>();

    static List<ConformanceCase> allCases() {
        List<ConformanceCase> all = new ArrayList<>(ConvCases.all());
        all.addAll(LayerCases.all());
        all.addAll(StandaloneCases.all());
        all.addAll(Bf16Cases.all());
        return all;
    }

    static Stream<Arguments> enginesAndCases() {
        List<ConformanceCase> cases = allCases();
        return TestBackends.all().stream().flatMap(p -> cases.stream()
                .map(c -> Arguments.of(Named.of(p.name(), p), Named.of(c.name(), c))));
    }

    @AfterAll
    static void closeEngines() {
        for (Backend b : OPENED.values()) b.close();
        OPENED.clear();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("enginesAndCases")
    void matchesReference(BackendProvider provider, ConformanceCase c) {
        TestBackends.assumeAvailable(provider);
        Backend backend = OPENED.computeIfAbsent(provider.name(), n -> TestBackends.open(provider));
        check(provider, c, new EngineHarness(backend), "");
    }

    /**
     * The same cases with every 4-D input handed over in the engine's own layout, as the executor does between
     * kernels of an engine that keeps activations in one ({@link Backend#preferredLayout} is {@link Layout#ENGINE});
     * other engines are skipped with that reason.
     */
    @ParameterizedTest(name = "{0}: {1} (engine-layout inputs)")
    @MethodSource("enginesAndCases")
    void matchesReferenceFromEngineLayoutInputs(BackendProvider provider, ConformanceCase c) {
        TestBackends.assumeAvailable(provider);
        Backend backend = OPENED.computeIfAbsent(provider.name(), n -> TestBackends.open(provider));
        assumeTrue(backend.preferredLayout(TensorSpec.f32(1, 8, 2, 2)) == Layout.ENGINE,
                () -> provider.name() + " keeps activations canonical");
        check(provider, c, new EngineHarness(backend, true), " (engine-layout inputs)");
    }

    private static void check(BackendProvider provider, ConformanceCase c, EngineHarness harness, String mode) {
        boolean bf16 = c.op() instanceof Cast || c.specs().stream().anyMatch(s -> s.dtype() == DType.BF16);
        String noBf16 = bf16 ? harness.backend().unsupportedType(DType.BF16) : null;
        assumeTrue(noBf16 == null, () -> provider.name() + " does not run bf16: " + noBf16);
        assumeTrue(!(c.op() instanceof Composite) || harness.backend().fuses(c.op()), () -> provider.name()
                + " has no dedicated kernel for the composite " + c.op().name() + ": its programs carry the decomposition"
                + " (Backend.fuses is false), which the reference evaluates");
        Random rnd = new Random(c.seed());
        double[][] inputs = c.inputs().apply(rnd);
        double[][] refInputs = RandomTensors.copy(inputs);
        double[][] refOutputs = ReferenceOps.run(c.op(), c.specs(), refInputs);
        List<TensorSpec> outSpecs = c.op().outputs(c.specs());
        Report report = new Report();

        if (!c.differentiates()) {
            EngineHarness.Result r = harness.run(c.op(), c.specs(), inputs);
            compareForward(c, outSpecs, refOutputs, refInputs, r, report);
            System.out.println(provider.name() + " " + c.name() + mode + ": " + report);
            return;
        }
        try (EngineHarness.ForwardRun f = harness.forward(c.op(), c.specs(), inputs)) {
            compareForward(c, outSpecs, refOutputs, refInputs, f.result(), report);
            BackwardProgram program = BackwardProgram.record(c.op(), c.specs(), c.wrt(), c.gradOutputs());
            double[][] gradOutputs = new double[outSpecs.size()][];
            for (int j = 0; j < gradOutputs.length; j++) {
                if (c.gradOutputs()[j]) gradOutputs[j] = RandomTensors.uniform(rnd, (int) outSpecs.get(j).size(), -1, 1);
                if (gradOutputs[j] != null && outSpecs.get(j).dtype() == DType.BF16) Bf16.round(gradOutputs[j]);
            }
            BackwardProgram.Evaluation ref = program.evaluate(ReferenceOps::run, inputs, refOutputs, gradOutputs);
            BackwardProgram.Evaluation got = program.evaluate((op, specs, in) -> isBackwardOp(op)
                            ? f.backward(op, specs, in).outputs() : harness.run(op, specs, in).outputs(),
                    inputs, f.result().outputs(), gradOutputs);
            List<BackwardProgram.Step> steps = program.steps();
            for (int k = 0; k < steps.size(); k++) {
                BackwardProgram.Step s = steps.get(k);
                for (int m = 0; m < s.outputs().size(); m++) {
                    report.compare("backward step " + k + " " + s.op().name() + " output " + m, s.outputs().get(m).spec(),
                            ref.stepOutputs().get(k)[m], got.stepOutputs().get(k)[m], c);
                }
            }
            for (int i = 0; i < c.specs().size(); i++) {
                if (!c.wrt()[i]) continue;
                int input = i;
                assertNotNull(ref.gradients()[i], () -> c.op().name() + ": gradient rule gives no gradient for input " + input);
                report.compare("gradient of input " + i, c.specs().get(i), ref.gradients()[i], got.gradients()[i], c);
            }
        }
        System.out.println(provider.name() + " " + c.name() + mode + ": " + report);
    }

    /** Ops emitted by a gradient rule that are forward ops themselves (Scale) get no forward hint. */
    private static boolean isBackwardOp(Op op) { return !(op instanceof Differentiable); }

    private static void compareForward(ConformanceCase c, List<TensorSpec> outSpecs, double[][] refOutputs,
                                       double[][] refInputs, EngineHarness.Result r, Report report) {
        assertEquals(outSpecs.size(), r.outputs().length, c.op().name() + " output count");
        for (int j = 0; j < outSpecs.size(); j++) {
            report.compare("forward output " + j, outSpecs.get(j), refOutputs[j], r.outputs()[j], c);
        }
        for (int i : c.op().inPlaceInputs()) {
            report.compare("in-place input " + i + " after the run", c.specs().get(i), refInputs[i], r.inputsAfter()[i], c);
        }
    }

    /** Compares tensors and remembers the largest difference, for the one-line summary of each case. */
    private static final class Report {
        private double worst;
        private int tensors;

        void compare(String what, TensorSpec spec, double[] expected, double[] actual, ConformanceCase c) {
            Closeness.assertClose(c.op().name() + " " + what, spec.shape(), expected, actual, c.tolerance());
            worst = Math.max(worst, Closeness.maxAbsDifference(expected, actual));
            tensors++;
        }

        @Override public String toString() {
            return tensors + " tensors within tolerance, largest |engine - reference| " + String.format("%.2e", worst);
        }
    }

    /**
     * The case list reaches every primitive op of the catalogue and every composite an engine has a dedicated kernel
     * for (the open composite family is known through the engines' tables), directly or as a backward op some
     * gradient rule emits.
     */
    @Test
    void casesCoverEveryOp() {
        Set<String> covered = coveredOps();
        Set<String> missing = new TreeSet<>();
        for (Class<?> k : records(Op.class)) if (!covered.contains(k.getName())) missing.add(k.getName());
        for (BackendProvider p : TestBackends.all()) {
            if (!p.availability().available()) continue;
            Backend backend = OPENED.computeIfAbsent(p.name(), n -> TestBackends.open(p));
            for (Class<?> k : backend.compositeKernels()) {
                if (!covered.contains(k.getName())) missing.add(k.getName() + " (" + p.name() + " kernel)");
            }
        }
        assertTrue(missing.isEmpty(), "ops no conformance case reaches: " + missing);
    }

    private static Set<String> coveredOps() {
        Set<String> covered = new TreeSet<>();
        for (ConformanceCase c : allCases()) {
            covered.add(c.op().getClass().getName());
            if (c.differentiates()) {
                for (BackwardProgram.Step s : BackwardProgram.record(c.op(), c.specs(), c.wrt(), c.gradOutputs()).steps()) {
                    covered.add(s.op().getClass().getName());
                }
            }
        }
        return covered;
    }

    /**
     * The primitive op records of a sealed family, through its sealed sub-families ({@code OptimizerUpdate}); the
     * open {@code Composite} family is left out.
     */
    static List<Class<?>> records(Class<?> family) {
        List<Class<?>> out = new ArrayList<>();
        for (Class<?> k : family.getPermittedSubclasses()) {
            if (k.isSealed()) out.addAll(records(k));
            else if (!k.isInterface()) out.add(k);
        }
        return out;
    }

    /** Two draws of one case are identical, so every engine is compared on the same inputs. */
    @Test
    void caseInputsAreReproducible() {
        for (ConformanceCase c : allCases()) {
            double[][] a = c.inputs().apply(new Random(c.seed()));
            double[][] b = c.inputs().apply(new Random(c.seed()));
            assertTrue(Arrays.deepEquals(a, b), c.name());
        }
    }
}
