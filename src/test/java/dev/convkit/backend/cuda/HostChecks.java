package dev.convkit.backend.cuda;

import dev.convkit.testing.Closeness;
import dev.convkit.testing.Closeness.Tolerance;
import dev.convkit.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Comparison of host-run kernel outputs with the float64 reference ({@link dev.convkit.testing.ReferenceOps}) at the
 * f32 tolerance of the conformance suite, with a tally for the summary line each host kernel test prints: cases,
 * launches and the largest absolute error seen. Checks are queued while a batch's script is built and evaluated after
 * the driver has run it.
 */
final class HostChecks {
    private final String family;
    private final List<Runnable> pending = new ArrayList<>();
    private int cases;
    private long launches;
    private long fiberLaunches;
    private double maxError;

    HostChecks(String family) { this.family = family; }

    /** Counts one case (one random shape and its launches). */
    void newCase() { cases++; }

    /** Queues a closeness check of {@code actual} (read back) against the reference values. */
    void close(String what, Shape shape, double[] expected, HostRun.Readback actual) {
        pending.add(() -> {
            double[] got = widen(actual.floats());
            Closeness.assertClose(what, shape, expected, got, Tolerance.F32);
            maxError = Math.max(maxError, Closeness.maxAbsDifference(expected, got));
        });
    }

    /** Queues any other check, run after the batch. */
    void later(Runnable check) { pending.add(check); }

    /** Runs the batch's script, then every queued check. */
    void execute(HostRun run) {
        HostRun.Stats s = run.execute();
        launches += s.launches();
        fiberLaunches += s.fiberLaunches();
        for (Runnable r : pending) r.run();
        pending.clear();
    }

    /** "host kernels <family>: N cases, L launches (F with fibers), max |error| E". */
    String summary() {
        return String.format(Locale.ROOT, "host kernels %s: %d cases, %d launches (%d with fibers), max |error| %.3g",
                family, cases, launches, fiberLaunches, maxError);
    }

    int cases() { return cases; }

    static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    static float[] narrow(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}
