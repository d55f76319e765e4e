package dev.convkit.bench.steps;

import dev.convkit.backend.Backend;
import dev.convkit.bench.Args;
import dev.convkit.bench.Engines;
import dev.convkit.bench.TrainingRig;
import dev.convkit.graph.Precision;
import dev.convkit.bench.Workload;
import dev.convkit.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ConvKit's counterpart of bench.py's worker, with its methodology, for the side-by-side run: one configuration and
 * mode per process; warm-up of at least {@code --warmup-steps} steps and {@code --warmup-time} seconds (the first
 * step compiles); then steps timed one by one until at least {@code --min-time} seconds and {@code --min-steps}
 * steps; images/s = batch / median step time. Prints one line {@code RESULT {json}} with bench.py's keys, plus the
 * engine, the first step's time and the process's peak resident memory (VmHWM, as bench.py's ru_maxrss).
 *
 * <pre>java -cp benchmarks.jar dev.convkit.bench.steps.StepRunner --config ResNet20v1:128 --mode train</pre>
 */
public final class StepRunner {
    private StepRunner() {}

    public static void main(String[] argv) {
        Args a = new Args(argv, "StepRunner --config NAME:BATCH --mode train|infer [--engine cpu] [--precision fp32|bf16]"
                + " [--min-time 10] [--min-steps 5] [--warmup-steps 5] [--warmup-time 3] [--ema M]");
        Workload w = Workload.parse(a.required("config"));
        String mode = a.get("mode", "train");
        String engine = a.get("engine", "cpu");
        Precision precision = Precision.of(a.get("precision", "fp32"));
        double minTime = a.getDouble("min-time", 10), warmupTime = a.getDouble("warmup-time", 3);
        int minSteps = a.getInt("min-steps", 5), warmupSteps = a.getInt("warmup-steps", 5);
        double ema = a.getDouble("ema", 0);       // > 0: training steps also update the weights' moving average
        a.requireAllUsed();

        try (Backend backend = Engines.open(engine); TrainingRig rig = new TrainingRig(w, backend, mode.equals("train"), precision)) {
            if (ema > 0) rig.withWeightAverage(new dev.convkit.ops.EmaUpdate((float) ema));
            double rssBuilt = ProcStats.statusMib("VmRSS");
            double loadBefore = ProcStats.loadAverage();
            long t0 = System.nanoTime();
            rig.step(mode);
            double firstMs = (System.nanoTime() - t0) / 1e6;
            int warm = 1;
            while (warm < warmupSteps || (System.nanoTime() - t0) / 1e9 < warmupTime) {
                rig.step(mode);
                warm++;
            }
            List<Double> times = new ArrayList<>();
            double total = 0;
            ProcStats.Cpu c0 = ProcStats.cpu();
            System.out.println("PROFILE-BEGIN");  // brackets the timed steps for VerboseProfile (oneDNN logs to stdout)
            while (times.size() < minSteps || total < minTime) {
                long t = System.nanoTime();
                rig.step(mode);
                double s = (System.nanoTime() - t) / 1e9;
                times.add(s);
                total += s;
            }
            ProcStats.Cpu c1 = ProcStats.cpu();
            System.out.printf("PROFILE-END steps=%d total_ms=%.3f%n", times.size(), total * 1e3);
            double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double med = quantile(sorted, 0.5);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("config", w.label());
            r.put("model", w.model());
            r.put("batch", w.batch());
            r.put("mode", mode);
            r.put("engine", engine);
            r.put("precision", precision.cliName());
            r.put("device", backend.device());
            r.put("first_step_ms", firstMs);
            r.put("warmup_steps", warm);
            r.put("steps", times.size());
            r.put("total_s", total);
            r.put("median_ms", med * 1e3);
            r.put("p10_ms", quantile(sorted, 0.1) * 1e3);
            r.put("p90_ms", quantile(sorted, 0.9) * 1e3);
            r.put("min_ms", sorted[0] * 1e3);
            r.put("img_s_median", w.batch() / med);
            r.put("img_s_mean", w.batch() * times.size() / total);
            r.put("peak_rss_mib", ProcStats.statusMib("VmHWM"));
            r.put("rss_after_build_mib", rssBuilt);
            r.put("loadavg_before", loadBefore);
            r.put("loadavg_after", ProcStats.loadAverage());
            r.put("self_cores", c1.selfCores(c0));
            r.put("other_cores", c1.otherCores(c0));
            r.put("steal_cores", c1.stealCores(c0));
            r.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
            System.out.println("RESULT " + Json.write(r));
        }
    }

    /** Linear-interpolated quantile of sorted values (q in [0, 1]). */
    static double quantile(double[] sorted, double q) {
        if (sorted.length == 1) return sorted[0];
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
