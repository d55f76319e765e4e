package dev.convkit.bench.steps;

import dev.convkit.backend.Backend;
import dev.convkit.bench.Engines;
import dev.convkit.bench.TrainingRig;
import dev.convkit.bench.Workload;
import dev.convkit.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What the whole-step benchmarks share: engine and workload parameters, a {@link TrainingRig} built (and its step
 * compiled by one untimed call) in setup, and at teardown the fork's peak resident memory (VmHWM), printed and,
 * when the system property {@code convkit.bench.rssLog} names a file, appended to it as one JSON line.
 */
@State(Scope.Benchmark)
public abstract class StepBenchmark {
    @Param({"cpu", "cuda"})
    public String engine;

    /** bench.py's configurations, in its order. */
    @Param({"ResNet20v1:32", "ResNet20v1:128", "ResNet56v1:128", "DenseNet-BC-100-k12:64", "VGG16-CIFAR100:64",
            "ResNet50-CIFAR100:32", "MNIST-CNN:128"})
    public String workload;

    protected TrainingRig rig;
    protected int batch;
    private Backend backend;

    /** Opens the engine, builds the rig and runs one untimed step in {@code mode} (compilation happens there). */
    protected void open(String mode) {
        Workload w = Workload.parse(workload);
        batch = w.batch();
        backend = Engines.open(engine);
        rig = new TrainingRig(w, backend, mode.equals("train"));
        rig.step(mode);
    }

    protected void close(String mode) {
        double hwm = ProcStats.statusMib("VmHWM");
        System.out.printf("%npeak RSS (VmHWM) of this fork, %s %s on %s: %.0f MiB%n", workload, mode, engine, hwm);
        String log = System.getProperty("convkit.bench.rssLog");
        if (log != null && !log.isEmpty()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("workload", workload);
            row.put("mode", mode);
            row.put("engine", engine);
            row.put("vmhwm_mib", hwm);
            try {
                Files.writeString(Path.of(log), Json.write(row) + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot append to the RSS log " + log, e);
            }
        }
        if (rig != null) rig.close();
        if (backend != null) backend.close();
        rig = null;
        backend = null;
    }
}
