package dev.convkit.bench;

import dev.convkit.bench.steps.ProcStats;
import dev.convkit.bench.steps.StepRunner;
import dev.convkit.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ConvKit against the PyTorch reference on this machine, interleaved: for every repeat, workload and mode it runs
 * our {@link StepRunner} and bench.py's worker (same methodology: random data, cross-entropy + SGD momentum 0.9,
 * warm-up, at least 10 s timed, median step), one process each, each holding {@code flock /tmp/cpu-bench.lock}
 * as bench.py does, the order alternating between repeats. A run during which other processes used more than
 * {@code --max-other-cores} is retried; before each run it waits (up to {@code --quiet-wait} s) for the machine to
 * drop to {@code --quiet-cores} busy cores. {@code --omp-wait-policy} sets OMP_WAIT_POLICY for our side only (the
 * {@code convkit} launcher sets PASSIVE; by default both sides keep libgomp's default). Prints and writes (OUT.md,
 * OUT.json) per workload: images/s of both sides and their ratio for training and inference, and peak RSS of both
 * sides. {@code --precisions fp32,bf16} adds rows in mixed bf16: ours with {@code --precision bf16}, PyTorch's
 * under {@code torch.autocast} ({@code bench.py --precision bf16}). The reference defaults to {@code ../shared/anchors/pytorch/bench.py} relative to the repo root, which is
 * the system property {@code convkit.home} ({@code side_by_side.sh} sets it) or else the working directory.
 *
 * <pre>java -cp benchmarks.jar dev.convkit.bench.SideBySide --configs ResNet20v1:128,MNIST-CNN:128 --out results/sbs</pre>
 */
public final class SideBySide {
    static final String OURS = "convkit", TORCH = "pytorch";
    private static final List<String> VERBOSE_VARS = List.of("DNNL_VERBOSE", "ONEDNN_VERBOSE", "MKLDNN_VERBOSE", "OMP_NUM_THREADS");
    private static final String OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-openmp";

    private SideBySide() {}

    /** A table row: the workload, with the precision when it is not fp32 (ours: --precision; PyTorch: torch.autocast). */
    private static String row(String config, String precision) { return precision.equals("fp32") ? config : config + " " + precision; }

    /** ../shared/anchors/pytorch/bench.py beside the repo root: {@code convkit.home}, else the working directory. */
    static Path defaultReference() {
        String home = System.getProperty("convkit.home");
        Path root = (home == null || home.isEmpty() ? Path.of("") : Path.of(home)).toAbsolutePath();
        return root.resolve("../shared/anchors/pytorch/bench.py").normalize();
    }

    public static void main(String[] argv) throws IOException, InterruptedException {
        Args a = new Args(argv, "SideBySide [--configs ResNet20v1:128,MNIST-CNN:128] [--modes train,infer] [--repeats 3]"
                + " [--precisions fp32,bf16] [--min-time 10] [--reference ../shared/anchors/pytorch/bench.py] [--python /usr/bin/python3]"
                + " [--torch-blas openblas|system] [--engine cpu] [--lock /tmp/cpu-bench.lock] [--max-other-cores 0.1]"
                + " [--max-attempts 2] [--retry-sleep 20] [--quiet-cores 0.3] [--quiet-wait 300] [--jvm-options '...']"
                + " [--omp-wait-policy PASSIVE|ACTIVE]"
                + " [--out results/side-by-side-DATE]");
        List<String> configs = a.getList("configs", List.of("ResNet20v1:128", "MNIST-CNN:128"));
        List<String> modes = a.getList("modes", List.of("train", "infer"));
        List<String> precisions = a.getList("precisions", List.of("fp32"));
        for (String p : precisions) {
            if (!p.equals("fp32") && !p.equals("bf16")) throw new IllegalArgumentException("--precisions: '" + p + "' is not fp32 or bf16");
        }
        int repeats = a.getInt("repeats", 3), maxAttempts = a.getInt("max-attempts", 2);
        String minTime = a.get("min-time", "10");
        String reference = a.get("reference", defaultReference().toString());
        String python = a.get("python", "/usr/bin/python3");
        String blas = a.get("torch-blas", "openblas");
        String engine = a.get("engine", "cpu");
        String lock = a.get("lock", "/tmp/cpu-bench.lock");
        double maxOther = a.getDouble("max-other-cores", 0.1), retrySleep = a.getDouble("retry-sleep", 20);
        double quietCores = a.getDouble("quiet-cores", 0.3), quietWait = a.getDouble("quiet-wait", 300);
        String jvmOptions = a.get("jvm-options", "");
        String ompWait = a.get("omp-wait-policy", "");
        Path out = Path.of(a.get("out", "results/side-by-side-" + LocalDate.now()));
        a.requireAllUsed();
        if (!Files.isRegularFile(Path.of(reference))) throw new IllegalArgumentException("no PyTorch reference at " + reference
                + "; pass --reference PATH/TO/bench.py");
        for (String c : configs) Workload.parse(c);  // fail early on a misspelt workload

        Map<String, String> env = new HashMap<>();
        for (String v : VERBOSE_VARS) env.put(v, null);
        Map<String, String> torchEnv = new HashMap<>(env);
        if (!ompWait.isEmpty()) env.put("OMP_WAIT_POLICY", ompWait);  // ours only: bench.py's children keep libgomp's default
        if (blas.equals("openblas")) {
            if (!Files.isDirectory(Path.of(OPENBLAS_DIR))) {   // else PyTorch's fp32 dense layers quietly run reference BLAS
                throw new IllegalArgumentException("--torch-blas openblas needs " + OPENBLAS_DIR + " (apt-get install"
                        + " libopenblas0-openmp); without it PyTorch's fp32 Linear layers run the reference BLAS, ~8x"
                        + " slower on VGG16. Install it, or pass --torch-blas system to compare against that on purpose.");
            }
            String old = System.getenv("LD_LIBRARY_PATH");
            torchEnv.put("LD_LIBRARY_PATH", OPENBLAS_DIR + (old == null || old.isEmpty() ? "" : ":" + old));
        } else if (!blas.equals("system")) {
            throw new IllegalArgumentException("--torch-blas must be openblas or system, got '" + blas + "'");
        }
        List<String> common = List.of("--min-time", minTime, "--min-steps", "5", "--warmup-steps", "5", "--warmup-time", "3");
        Files.createDirectories(out.toAbsolutePath().getParent());
        Path stderr = Path.of(out + ".stderr.log");

        SideBySideTable table = new SideBySideTable();
        List<String> rows = new ArrayList<>();
        for (String precision : precisions) for (String config : configs) rows.add(row(config, precision));
        for (int rep = 1; rep <= repeats; rep++) {
            for (String precision : precisions) for (String config : configs) {
                String row = row(config, precision);
                for (String mode : modes) {
                    List<String> sides = rep % 2 == 1 ? List.of(OURS, TORCH) : List.of(TORCH, OURS);
                    for (String side : sides) {
                        List<String> cmd;
                        if (side.equals(OURS)) {
                            cmd = Child.java(jvmOptions.isBlank() ? List.of() : Arrays.asList(jvmOptions.trim().split("\\s+")),
                                    StepRunner.class.getName());
                            cmd.addAll(List.of("--config", config, "--mode", mode, "--engine", engine, "--precision", precision));
                        } else {
                            cmd = new ArrayList<>(List.of(python, reference, "--threads", "2", "--blas", blas, "--padding", "tf",
                                    "--mkldnn", "on", "--memory-format", "channels_first", "--worker", config, "--mode", mode));
                            if (!precision.equals("fp32")) cmd.addAll(List.of("--precision", precision));   // torch.autocast
                        }
                        cmd.addAll(common);
                        Map<String, Object> best = null;
                        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
                            double busy = ProcStats.waitForQuiet(quietCores, quietWait);
                            long t0 = System.nanoTime();
                            Map<String, Object> r = Child.run(cmd, lock, side.equals(OURS) ? env : torchEnv, "RESULT ", stderr).json();
                            r.put("attempt", attempt);
                            r.put("busy_cores_before", busy);
                            double other = Json.toDouble(r.get("other_cores"));
                            System.err.printf("%-8s %-29s %-5s %8.1f img/s  median %8.1f ms  steps %3s  peakRSS %6.0f MiB"
                                            + "  other-CPU %.2f cores  load %.1f  (repeat %d try %d, %.0f s)%n", side, row, mode,
                                    Json.toDouble(r.get("img_s_median")), Json.toDouble(r.get("median_ms")), r.get("steps"),
                                    Json.toDouble(r.get("peak_rss_mib")), other, ProcStats.loadAverage(), rep, attempt,
                                    (System.nanoTime() - t0) / 1e9);
                            if (best == null || other < Json.toDouble(best.get("other_cores"))) best = r;
                            if (other <= maxOther) break;
                            if (attempt < maxAttempts) Thread.sleep((long) (retrySleep * 1000));
                        }
                        table.add(row, mode, side, best);
                    }
                }
            }
        }
        Map<String, Object> meta = Machine.describe(python, blas);
        meta.put("engine", engine);
        meta.put("repeats", repeats);
        meta.put("min_time_s", Double.parseDouble(minTime));
        meta.put("max_other_cores", maxOther);
        meta.put("quiet_cores", quietCores);
        meta.put("jvm_options", jvmOptions);
        meta.put("convkit_omp_wait_policy", ompWait.isEmpty() ? "libgomp default" : ompWait);
        meta.put("precisions", precisions);
        String md = table.markdown(rows, meta);
        System.out.println(md);
        Files.writeString(Path.of(out + ".md"), md);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("meta", meta);
        doc.put("rows", table.summary(rows));
        doc.put("runs", table.runs());
        Files.writeString(Path.of(out + ".json"), Json.writePretty(doc));
        System.err.println("wrote " + out + ".md and " + out + ".json");
    }
}
