package dev.convkit.testing;

import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Central finite differences in float64 against the analytic gradient that an op's gradient rule produces when its
 * emitted backward ops are evaluated by {@link ReferenceOps}.
 *
 * <p>The objective is {@code L(x) = Σ_j Σ_k r_jk · y_jk(x)} over the chosen outputs, with fixed random weights
 * r in [−1, 1), so dL/dy_j = r_j is the incoming gradient. The numeric gradient of element k of input i is
 * {@code (L(x + ε·e_k) − L(x − ε·e_k)) / 2ε} with ε = {@value #EPSILON}.
 *
 * <p>Tolerance: |analytic − numeric| ≤ {@value #ABS_TOLERANCE} + {@value #REL_TOLERANCE}·max(|analytic|, |numeric|).
 * In double the truncation error of the central difference is O(ε²·L''') ≈ 1e-12 and the cancellation error is
 * about ulp(L)·√(terms)/ε ≈ 1e-9 for the small objectives used (|L| ≲ 10); a wrong rule is off by O(0.1).
 */
public final class GradCheck {
    public static final double EPSILON = 1e-6;
    public static final double REL_TOLERANCE = 1e-6;
    public static final double ABS_TOLERANCE = 1e-8;

    private GradCheck() {}

    /** One element whose analytic and numeric gradients disagree. */
    public record Mismatch(int input, int index, double analytic, double numeric) {
        @Override public String toString() {
            return "input " + input + " [" + index + "]: analytic " + analytic + ", numeric " + numeric;
        }
    }

    /** The outcome: how many elements were checked, the largest error relative to the tolerance, the mismatches. */
    public record Result(int checked, double worstRatio, List<Mismatch> mismatches, BackwardProgram program) {
        public boolean passed() { return mismatches.isEmpty(); }

        public String describe() {
            StringBuilder sb = new StringBuilder(program.forward().name() + ": " + checked + " gradient elements, "
                    + mismatches.size() + " mismatches, worst error/tolerance " + String.format("%.3g", worstRatio));
            for (int k = 0; k < Math.min(8, mismatches.size()); k++) sb.append("\n  ").append(mismatches.get(k));
            return sb.append('\n').append(program).toString();
        }
    }

    /**
     * Checks the gradients of the inputs flagged in {@code wrt} through the outputs flagged in {@code objective}.
     * Inputs are never modified (each evaluation runs on a copy, since some ops update inputs in place).
     */
    public static Result check(Op op, List<TensorSpec> specs, double[][] inputs, boolean[] wrt, boolean[] objective,
                               long seed) {
        Random rnd = new Random(seed);
        List<TensorSpec> outSpecs = op.outputs(specs);
        double[][] weights = new double[outSpecs.size()][];
        for (int j = 0; j < weights.length; j++) {
            weights[j] = objective[j] ? RandomTensors.uniform(rnd, (int) outSpecs.get(j).size(), -1, 1)
                    : new double[(int) outSpecs.get(j).size()];
        }

        BackwardProgram program = BackwardProgram.record(op, specs, wrt, objective);
        double[][] outputs = ReferenceOps.run(op, specs, RandomTensors.copy(inputs));
        double[][] analytic = program.evaluate(ReferenceOps::run, inputs, outputs, weights).gradients();

        List<Mismatch> mismatches = new ArrayList<>();
        int checked = 0;
        double worst = 0;
        for (int i = 0; i < inputs.length; i++) {
            if (!wrt[i]) continue;
            if (analytic[i] == null) {
                throw new AssertionError(op.name() + " " + op + ": the gradient rule declared no gradient for input "
                        + i + " " + specs.get(i) + "\n" + program);
            }
            for (int k = 0; k < inputs[i].length; k++) {
                double numeric = numericGradient(op, specs, inputs, weights, i, k);
                double a = analytic[i][k];
                double tolerance = ABS_TOLERANCE + REL_TOLERANCE * Math.max(Math.abs(a), Math.abs(numeric));
                double ratio = Math.abs(a - numeric) / tolerance;
                worst = Math.max(worst, ratio);
                if (!(ratio <= 1)) mismatches.add(new Mismatch(i, k, a, numeric));
                checked++;
            }
        }
        return new Result(checked, worst, mismatches, program);
    }

    private static double numericGradient(Op op, List<TensorSpec> specs, double[][] inputs, double[][] weights,
                                          int input, int index) {
        double[][] plus = RandomTensors.copy(inputs);
        double[][] minus = RandomTensors.copy(inputs);
        plus[input][index] += EPSILON;
        minus[input][index] -= EPSILON;
        return (objective(op, specs, plus, weights) - objective(op, specs, minus, weights)) / (2 * EPSILON);
    }

    private static double objective(Op op, List<TensorSpec> specs, double[][] inputs, double[][] weights) {
        double[][] y = ReferenceOps.run(op, specs, inputs);
        double sum = 0;
        for (int j = 0; j < y.length; j++) for (int k = 0; k < y[j].length; k++) sum += weights[j][k] * y[j][k];
        return sum;
    }
}
