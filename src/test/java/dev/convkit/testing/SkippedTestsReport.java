package dev.convkit.testing;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints, when a test run ends, every group of skipped tests with its reason: tests cut short by an assumption (a
 * GPU, a data set or a privilege that this machine lacks) and disabled ones. Maven's own summary gives only the
 * count. Registered through {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}, so it runs
 * under Maven, an IDE or the console launcher alike.
 *
 * <pre>
 * Skipped: 41 of 530 tests, 3 reasons
 *   32 tests: cuda engine unavailable: the NVIDIA driver (libcuda.so.1) is not installed
 *      in CudaBackendTest (12), CudaConformanceTest (20)
 * </pre>
 */
public final class SkippedTestsReport implements TestExecutionListener {
    private record Skip(String reason, String className, long tests) {}

    private final List<Skip> skips = new ArrayList<>();
    private TestPlan plan;
    private long tests;

    @Override public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
        skips.clear();
        tests = 0;
    }

    @Override public void executionSkipped(TestIdentifier id, String reason) { record(id, "disabled: " + reason); }

    @Override public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (id.isTest() && result.getStatus() != TestExecutionResult.Status.ABORTED) countRun();
        if (result.getStatus() != TestExecutionResult.Status.ABORTED) return;
        String reason = result.getThrowable().map(t -> t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage()).orElse("aborted");
        record(id, reason.replaceFirst("^Assumption failed: ", "").replaceFirst("^assumption is not true$", "an assumption did not hold"));
    }

    private synchronized void countRun() { tests++; }

    /**
     * A skipped container counts as the tests known under it, at least one (the invocations of a parameterized
     * test are not known before it runs). Every test run or skipped counts toward the total.
     */
    private synchronized void record(TestIdentifier id, String reason) {
        long n = id.isTest() ? 1 : Math.max(1, plan.getDescendants(id).stream().filter(TestIdentifier::isTest).count());
        tests += n;
        skips.add(new Skip(reason.strip().replaceAll("\\s+", " "), className(id), n));
    }

    private static String className(TestIdentifier id) {
        Optional<String> name = id.getSource().map(s -> s instanceof MethodSource m ? m.getClassName() : s instanceof ClassSource c ? c.getClassName() : null);
        String full = name.orElse(id.getDisplayName());
        return full.substring(full.lastIndexOf('.') + 1);
    }

    @Override public synchronized void testPlanExecutionFinished(TestPlan testPlan) {
        if (skips.isEmpty()) return;
        Map<String, Map<String, Long>> byReason = new TreeMap<>();
        long total = 0;
        for (Skip s : skips) {
            byReason.computeIfAbsent(s.reason(), r -> new TreeMap<>()).merge(s.className(), s.tests(), Long::sum);
            total += s.tests();
        }
        PrintStream out = System.out;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%nSkipped: %d of %d tests, %d reason%s%n", total, tests, byReason.size(), byReason.size() == 1 ? "" : "s"));
        byReason.entrySet().stream().sorted((a, b) -> Long.compare(sum(b.getValue()), sum(a.getValue()))).forEach(e -> {
            long n = sum(e.getValue());
            sb.append(String.format("  %d test%s: %s%n", n, n == 1 ? "" : "s", e.getKey()));
            TreeSet<String> classes = new TreeSet<>(e.getValue().keySet());
            List<String> parts = new ArrayList<>();
            for (String c : classes) parts.add(c + " (" + e.getValue().get(c) + ")");
            sb.append("     in ").append(String.join(", ", parts)).append(System.lineSeparator());
        });
        out.print(sb);
        out.flush();
    }

    private static long sum(Map<String, Long> m) { return m.values().stream().mapToLong(Long::longValue).sum(); }
}
