package dev.convkit.conformance;

import dev.convkit.ops.Op;
import dev.convkit.testing.Closeness.Tolerance;
import dev.convkit.testing.RandomTensors;
import dev.convkit.tensor.TensorSpec;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * One op on fixed input specs, with a seeded draw of its inputs. A forward case also names the inputs whose
 * gradients are wanted ({@code wrt}) and the outputs that receive a gradient; its backward ops are whatever the op's
 * gradient rule emits. A standalone case (inference, updates, ops only emitted by rules) has {@code wrt == null}.
 */
record ConformanceCase(String name, Op op, List<TensorSpec> specs, Function<Random, double[][]> inputs,
                       boolean[] wrt, boolean[] gradOutputs, Tolerance tolerance) {

    /** A differentiable op checked forward and backward. */
    static ConformanceCase forward(String name, Op op, List<TensorSpec> specs, Function<Random, double[][]> inputs,
                                   boolean[] wrt, boolean[] gradOutputs) {
        return new ConformanceCase(name, op, specs, inputs, wrt.clone(), gradOutputs.clone(), Tolerance.F32);
    }

    /** A differentiable op of uniform [−1, 1) inputs, every input differentiated, every output with a gradient. */
    static ConformanceCase forward(String name, Op op, List<TensorSpec> specs) {
        return forward(name, op, specs, uniform(specs), flags(specs.size()), flags(op.outputs(specs).size()));
    }

    /** An op checked on its own, compiled with no forward hint. */
    static ConformanceCase standalone(String name, Op op, List<TensorSpec> specs, Function<Random, double[][]> inputs) {
        return new ConformanceCase(name, op, specs, inputs, null, null, Tolerance.F32);
    }

    ConformanceCase withTolerance(Tolerance t) { return new ConformanceCase(name, op, specs, inputs, wrt, gradOutputs, t); }

    boolean differentiates() { return wrt != null; }

    /** A seed derived from the case name, so every engine sees the same inputs for a case. */
    long seed() { return name.hashCode() * 0x9E3779B97F4A7C15L; }

    @Override public String toString() { return name; }

    /** Uniform [−1, 1) f32 values for every spec. */
    static Function<Random, double[][]> uniform(List<TensorSpec> specs) {
        return rnd -> specs.stream().map(s -> RandomTensors.uniform(rnd, (int) s.size(), -1, 1)).toArray(double[][]::new);
    }

    /** n flags set to true. */
    static boolean[] flags(int n) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, true);
        return b;
    }

    /** Flags true at the given positions only. */
    static boolean[] only(int n, int... positions) {
        boolean[] b = new boolean[n];
        for (int p : positions) b[p] = true;
        return b;
    }
}
