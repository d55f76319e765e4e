package dev.convkit.bench.steps;

import dev.convkit.backend.Backend;
import dev.convkit.bench.Args;
import dev.convkit.bench.Engines;
import dev.convkit.bench.TrainingRig;
import dev.convkit.bench.Workload;
import dev.convkit.io.Json;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A program that does nothing but the first training step of a workload, for measuring the time from JVM start to
 * the end of that step. Prints one line {@code FIRST-STEP {json}}: milliseconds from the process's start (the
 * kernel's record, {@link ProcStats#millisSinceProcessStart()}, 10 ms resolution) to main, to the engine being
 * open, to the model being built and initialised, and to the end of the first step (compilation included).
 *
 * <pre>java -cp benchmarks.jar dev.convkit.bench.steps.FirstStepMain --config ResNet20v1:32</pre>
 */
public final class FirstStepMain {
    private FirstStepMain() {}

    public static void main(String[] argv) {
        double sinceStart = ProcStats.millisSinceProcessStart();
        long mainAt = System.currentTimeMillis();
        long start = mainAt - Math.round(sinceStart);  // process start on the wall clock, to a 10 ms tick
        Args a = new Args(argv, "FirstStepMain [--config ResNet20v1:32] [--engine cpu]");
        Workload w = Workload.parse(a.get("config", "ResNet20v1:32"));
        String engine = a.get("engine", "cpu");
        a.requireAllUsed();
        long engineAt, builtAt, endAt;
        float loss;
        try (Backend backend = Engines.open(engine)) {
            engineAt = System.currentTimeMillis();
            try (TrainingRig rig = new TrainingRig(w, backend, true)) {
                builtAt = System.currentTimeMillis();
                loss = rig.trainStep();
                endAt = System.currentTimeMillis();
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("config", w.label());
        r.put("engine", engine);
        r.put("main_ms", mainAt - start);
        r.put("jvm_start_ms", ManagementFactory.getRuntimeMXBean().getStartTime() - start);
        r.put("engine_open_ms", engineAt - start);
        r.put("model_ready_ms", builtAt - start);
        r.put("first_step_end_ms", endAt - start);
        r.put("first_step_ms", endAt - builtAt);
        r.put("loss", loss);
        System.out.println("FIRST-STEP " + Json.write(r));
        System.out.flush();
    }
}
