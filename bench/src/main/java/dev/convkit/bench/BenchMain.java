package dev.convkit.bench;

import dev.convkit.bench.ops.BatchNormBenchmark;
import dev.convkit.bench.ops.ConvBenchmark;
import dev.convkit.bench.ops.DenseBenchmark;
import dev.convkit.bench.ops.GemmPeakBenchmark;
import dev.convkit.bench.ops.PoolBenchmark;
import dev.convkit.bench.shapes.ShapeLists;
import dev.convkit.bench.steps.InferenceStepBenchmark;
import dev.convkit.bench.steps.ProcStats;
import dev.convkit.bench.steps.StartupTimer;
import dev.convkit.bench.steps.TrainStepBenchmark;
import dev.convkit.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The benchmark jar's entry point: runs the suites with defaults sized for a small (2-core) machine, the per-op
 * shapes taken from models/shapes, and writes every result into one folder: JMH JSON per suite, the fork's peak
 * RSS log, the start-up timing, machine.json, and report.md (ResultsReport). Engines that cannot run here are
 * left out up front and their reasons written to skipped.txt and printed. Each suite waits (up to 2 min) for the
 * machine to be quiet before it starts; bench/run holds {@code flock /tmp/cpu-bench.lock} around the whole run
 * (and so tells the start-up timer not to take it again: {@code --startup-lock=}).
 *
 * <pre>java -jar benchmarks.jar [--suites peak,ops,steps,startup] [--shapes resnet20v1,mnist_cnn|all]
 *     [--workloads ResNet20v1:128,...] [--engines cpu,cuda] [--out results] [--quick true] [-- JMH options]</pre>
 *
 * JMH options after {@code --} (e.g. {@code -f 2 -wi 3 -i 5 -r 10s}) override the defaults of every suite.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv, "java -jar benchmarks.jar [--suites peak,ops,steps,startup] [--shapes resnet20v1,mnist_cnn|all]"
                + " [--shapes-dir models/shapes] [--workloads ResNet20v1:32,...] [--engines cpu,cuda] [--out results]"
                + " [--quick true] [--startup-configs ResNet20v1:32,ResNet20v1:128] [--startup-lock /tmp/cpu-bench.lock]"
                + " [-- JMH options]");
        List<String> suites = a.getList("suites", List.of("peak", "ops", "steps", "startup"));
        Path shapesDir = Path.of(a.get("shapes-dir", "models/shapes"));
        List<String> models = a.getList("shapes", List.of("resnet20v1", "mnist_cnn"));
        List<String> workloads = a.getList("workloads", Workload.DEFAULTS);
        List<String> engines = a.getList("engines", List.of("cpu", "cuda"));
        List<String> startupConfigs = a.getList("startup-configs", List.of("ResNet20v1:32", "ResNet20v1:128"));
        boolean quick = Boolean.parseBoolean(a.get("quick", "false"));
        String startupLock = a.get("startup-lock", "/tmp/cpu-bench.lock");
        Path out = Path.of(a.get("out", "results")).resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm")));
        a.requireAllUsed();
        CommandLineOptions jmh = new CommandLineOptions(a.rest().toArray(String[]::new));
        if (models.equals(List.of("all"))) models = ShapeLists.models(shapesDir);
        for (String w : workloads) Workload.parse(w);

        Files.createDirectories(out);
        List<String> runnable = new ArrayList<>(), skipped = new ArrayList<>();
        Map<String, dev.convkit.backend.Availability> all = Engines.all();
        for (String e : engines) {
            var av = all.get(e);
            if (av == null) throw new IllegalArgumentException("unknown engine '" + e + "'; installed: " + all.keySet());
            if (av.available()) runnable.add(e);
            else skipped.add(e + ": skipped, unavailable here: " + av.reason());
        }
        for (String s : skipped) System.out.println(s);
        Files.write(out.resolve("skipped.txt"), skipped);
        Files.writeString(out.resolve("machine.json"), Json.writePretty(Machine.describe(null, null)));
        if (runnable.isEmpty()) throw new IllegalStateException("none of the engines " + engines + " can run here: " + skipped);
        String[] engineParam = runnable.toArray(String[]::new);

        Suite peak = new Suite(jmh, out, quick, 3, 2, 5, 2);
        Suite ops = new Suite(jmh, out, quick, 2, 1, 3, 2);
        Suite steps = new Suite(jmh, out, quick, 2, 4, 3, 5);
        for (String suite : suites) {
            switch (suite) {
                case "peak" -> peak.run("peak", GemmPeakBenchmark.class, engineParam, null, null);
                case "ops" -> {
                    ops.run("ops-conv", ConvBenchmark.class, engineParam, "shape", ShapeLists.lines(shapesDir, ShapeLists.Driver.CONV, models));
                    ops.run("ops-bnorm", BatchNormBenchmark.class, engineParam, "shape", ShapeLists.lines(shapesDir, ShapeLists.Driver.BNORM, models));
                    ops.run("ops-pool", PoolBenchmark.class, engineParam, "shape", ShapeLists.lines(shapesDir, ShapeLists.Driver.POOL, models));
                    ops.run("ops-ip", DenseBenchmark.class, engineParam, "shape", ShapeLists.lines(shapesDir, ShapeLists.Driver.IP, models));
                }
                case "steps" -> {
                    steps.run("steps-train", TrainStepBenchmark.class, engineParam, "workload", workloads);
                    steps.run("steps-infer", InferenceStepBenchmark.class, engineParam, "workload", workloads);
                }
                case "startup" -> {
                    for (String c : startupConfigs) {
                        StartupTimer.main(new String[] {"--config", c, "--runs", quick ? "2" : "5", "--lock", startupLock,
                                "--out", out.resolve("startup-" + c.replace(':', '-') + ".json").toString()});
                    }
                }
                default -> throw new IllegalArgumentException("unknown suite '" + suite + "'; suites: peak, ops, steps, startup");
            }
        }
        String report = ResultsReport.render(out);
        Files.writeString(out.resolve("report.md"), report);
        System.out.println(report);
        System.out.println("results in " + out.toAbsolutePath());
    }

    /** One JMH run configuration: defaults for this suite unless the command line's JMH options say otherwise. */
    private record Suite(CommandLineOptions cmd, Path out, boolean quick, int warmups, int warmupSeconds,
                         int iterations, int iterationSeconds) {
        void run(String name, Class<?> benchmark, String[] engines, String listParam, List<String> values) throws Exception {
            if (values != null && values.isEmpty()) {
                System.out.println(name + ": no shapes for the chosen models, nothing to run");
                return;
            }
            OptionsBuilder b = new OptionsBuilder();
            b.parent(cmd);
            b.include("^" + benchmark.getName().replace(".", "\\.") + "\\.");
            if (!cmd.getForkCount().hasValue()) b.forks(1);
            if (!cmd.getWarmupIterations().hasValue()) b.warmupIterations(quick ? 1 : warmups);
            if (!cmd.getWarmupTime().hasValue()) b.warmupTime(TimeValue.seconds(quick ? 1 : warmupSeconds));
            if (!cmd.getMeasurementIterations().hasValue()) b.measurementIterations(quick ? 2 : iterations);
            if (!cmd.getMeasurementTime().hasValue()) b.measurementTime(TimeValue.seconds(quick ? 1 : iterationSeconds));
            if (!cmd.getParameter("engine").hasValue()) b.param("engine", engines);
            if (listParam != null && !cmd.getParameter(listParam).hasValue()) b.param(listParam, values.toArray(String[]::new));
            b.jvmArgsAppend("-Dconvkit.bench.rssLog=" + out.resolve("rss.jsonl").toAbsolutePath());
            b.resultFormat(ResultFormatType.JSON);
            b.result(out.resolve(name + ".json").toString());
            Options o = b.build();
            double busy = ProcStats.waitForQuiet(0.3, 120);
            System.out.printf("%s: starting with %.2f cores busy on the machine (load %.1f)%n", name, busy, ProcStats.loadAverage());
            new Runner(o).run();
        }
    }
}
