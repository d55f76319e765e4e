package dev.convkit.bench.steps;

import dev.convkit.bench.Args;
import dev.convkit.bench.Child;
import dev.convkit.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times "JVM start to the end of the first training step" from outside: runs {@link FirstStepMain} in fresh JVMs,
 * one after another, each holding {@code flock /tmp/cpu-bench.lock}, and reports the median over runs of the
 * child's process-start-to-step-end time (measured by the child from the kernel's record of its start, so waiting for the lock is not counted), its
 * phases, and the parent's wall clock from spawning to reading the result line (which includes flock and any lock
 * wait; equal to the former plus a few ms when the lock is free). Each run first waits (up to {@code --quiet-wait}
 * s) for the machine to drop to {@code --quiet-cores} busy cores.
 *
 * <pre>java -cp benchmarks.jar dev.convkit.bench.steps.StartupTimer --config ResNet20v1:32 --runs 5 --out startup.json</pre>
 */
public final class StartupTimer {
    private StartupTimer() {}

    public static void main(String[] argv) throws IOException, InterruptedException {
        Args a = new Args(argv, "StartupTimer [--config ResNet20v1:32] [--engine cpu] [--runs 5]"
                + " [--lock /tmp/cpu-bench.lock] [--jvm-options '-Xshare:auto ...'] [--quiet-cores 0.3] [--quiet-wait 120] [--out FILE.json]");
        String config = a.get("config", "ResNet20v1:32");
        String engine = a.get("engine", "cpu");
        int runs = a.getInt("runs", 5);
        String lock = a.get("lock", "/tmp/cpu-bench.lock");
        String jvmOptions = a.get("jvm-options", "");
        String out = a.get("out", null);
        double quietCores = a.getDouble("quiet-cores", 0.3), quietWait = a.getDouble("quiet-wait", 120);
        a.requireAllUsed();

        List<String> cmd = Child.java(jvmOptions.isBlank() ? List.of() : Arrays.asList(jvmOptions.trim().split("\\s+")),
                FirstStepMain.class.getName());
        cmd.addAll(List.of("--config", config, "--engine", engine));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 1; i <= runs; i++) {
            double busy = ProcStats.waitForQuiet(quietCores, quietWait);
            Child.Output o = Child.run(cmd, lock, Map.of(), "FIRST-STEP ", null);
            Map<String, Object> r = new LinkedHashMap<>(o.json());
            r.put("busy_cores_before", busy);
            r.put("parent_wall_to_result_ms", (o.lineNanos() - o.startNanos()) / 1e6);
            r.put("loadavg", ProcStats.loadAverage());
            rows.add(r);
            System.err.printf("run %d/%d: process start -> first step end %s ms (main at %s, engine open %s, model ready %s),"
                    + " parent wall %.0f ms, busy cores before %.2f%n", i, runs, r.get("first_step_end_ms"), r.get("main_ms"),
                    r.get("engine_open_ms"), r.get("model_ready_ms"), (double) r.get("parent_wall_to_result_ms"), busy);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("config", config);
        summary.put("engine", engine);
        summary.put("runs", runs);
        summary.put("jvm_options", jvmOptions);
        for (String key : List.of("main_ms", "engine_open_ms", "model_ready_ms", "first_step_ms", "first_step_end_ms",
                "parent_wall_to_result_ms")) {
            double[] v = rows.stream().mapToDouble(r -> Json.toDouble(r.get(key))).sorted().toArray();
            summary.put(key + "_median", StepRunner.quantile(v, 0.5));
            summary.put(key + "_min", v[0]);
            summary.put(key + "_max", v[v.length - 1]);
        }
        summary.put("all_runs", rows);
        String json = Json.writePretty(summary);
        System.out.printf("JVM start to end of first training step, %s on %s, median of %d fresh JVMs: %.0f ms"
                        + " [%.0f-%.0f] (main reached at %.0f ms, engine open %.0f, model ready %.0f, first step %.0f)%n",
                config, engine, runs, (double) summary.get("first_step_end_ms_median"), (double) summary.get("first_step_end_ms_min"),
                (double) summary.get("first_step_end_ms_max"), (double) summary.get("main_ms_median"),
                (double) summary.get("engine_open_ms_median"), (double) summary.get("model_ready_ms_median"),
                (double) summary.get("first_step_ms_median"));
        if (out != null) {
            try {
                Files.writeString(Path.of(out), json);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + out, e);
            }
        }
    }
}
