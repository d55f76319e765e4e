package dev.convkit.conformance;

import dev.convkit.ops.Op;
import dev.convkit.tensor.TensorSpec;
import dev.convkit.testing.Closeness.Tolerance;
import java.util.Arrays;
import java.util.List;

/**
 * One named behaviour with hand-computed values, run on every engine and on the reference: an op, its input specs
 * and values, and the expected outputs and in-place inputs after the run (null entries are not checked).
 */
record EdgeCase(String name, Op op, List<TensorSpec> specs, double[][] inputs, double[][] outputs,
                double[][] inputsAfter, Tolerance tolerance) {

    /** Hand values are exact or given to f32 precision: 1e-5 absolute and relative unless a case says otherwise. */
    static final Tolerance HAND = new Tolerance(1e-5, 1e-5);

    static EdgeCase of(String name, Op op, TensorSpec... specs) {
        return new EdgeCase(name, op, List.of(specs), new double[specs.length][], new double[0][],
                new double[specs.length][], HAND);
    }

    EdgeCase in(double[]... values) {
        return new EdgeCase(name, op, specs, values, outputs, inputsAfter, tolerance);
    }

    /** Expected outputs, in order; null skips one. */
    EdgeCase out(double[]... values) {
        return new EdgeCase(name, op, specs, inputs, values, inputsAfter, tolerance);
    }

    /** Expected value of in-place input {@code i} after the run. */
    EdgeCase after(int i, double... values) {
        double[][] a = inputsAfter.clone();
        a[i] = values;
        return new EdgeCase(name, op, specs, inputs, outputs, a, tolerance);
    }

    EdgeCase within(Tolerance t) { return new EdgeCase(name, op, specs, inputs, outputs, inputsAfter, t); }

    double[][] inputCopy() {
        return Arrays.stream(inputs).map(double[]::clone).toArray(double[][]::new);
    }

    @Override public String toString() { return name; }
}
