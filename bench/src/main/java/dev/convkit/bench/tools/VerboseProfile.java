package dev.convkit.bench.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a step's time goes inside oneDNN: reads the output of a {@code StepRunner} run made with
 * {@code ONEDNN_VERBOSE=profile_exec} and sums, over the timed steps (between its PROFILE-BEGIN and PROFILE-END
 * lines), every executed primitive's time by kind, implementation and propagation kind. The rest of the step's
 * wall time is spent outside oneDNN primitives (ConvKit's host loops, JNI calls, Java).
 *
 * <pre>ONEDNN_VERBOSE=profile_exec java -cp benchmarks.jar dev.convkit.bench.steps.StepRunner --config ResNet20v1:128 \
 *     --mode train --min-time 0 --min-steps 3 &gt; log.txt
 * java -cp benchmarks.jar dev.convkit.bench.tools.VerboseProfile log.txt</pre>
 */
public final class VerboseProfile {
    private VerboseProfile() {}

    /** Sum of one group of primitive executions. */
    private static final class Sum {
        long count;
        double ms;
    }

    public static void main(String[] argv) throws IOException {
        if (argv.length != 1) throw new IllegalArgumentException("usage: VerboseProfile STEPRUNNER_OUTPUT.txt");
        System.out.print(render(Files.readAllLines(Path.of(argv[0]))));
    }

    static String render(List<String> lines) {
        Map<String, Sum> groups = new LinkedHashMap<>();
        boolean in = false;
        int steps = 0;
        double stepMs = 0, primitiveMs = 0;
        for (String line : lines) {
            if (line.startsWith("PROFILE-BEGIN")) { in = true; continue; }
            if (line.startsWith("PROFILE-END")) {
                in = false;
                for (String f : line.split("\\s+")) {
                    if (f.startsWith("steps=")) steps = Integer.parseInt(f.substring(6));
                    if (f.startsWith("total_ms=")) stepMs = Double.parseDouble(f.substring(9));
                }
                continue;
            }
            if (!in || !(line.startsWith("onednn_verbose") || line.startsWith("dnnl_verbose"))) continue;
            String[] f = line.split(",");
            int exec = indexOf(f, "exec");
            if (exec < 0 || exec + 4 >= f.length) continue;
            double ms;
            try {
                ms = Double.parseDouble(f[f.length - 1]);
            } catch (NumberFormatException e) {
                continue;  // an exec line without a time (plain ONEDNN_VERBOSE=1 of an old version)
            }
            String key = f[exec + 2] + " | " + f[exec + 3] + " | " + f[exec + 4];
            Sum s = groups.computeIfAbsent(key, k -> new Sum());
            s.count++;
            s.ms += ms;
            primitiveMs += ms;
        }
        if (steps == 0) throw new IllegalArgumentException("no PROFILE-BEGIN/PROFILE-END section with steps: is this StepRunner output?");
        List<Map.Entry<String, Sum>> sorted = new ArrayList<>(groups.entrySet());
        sorted.sort((a, b) -> Double.compare(b.getValue().ms, a.getValue().ms));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%d timed steps, %.1f ms per step; oneDNN primitives %.1f ms per step (%.0f%%), outside them"
                + " %.1f ms (%.0f%%)%n%n", steps, stepMs / steps, primitiveMs / steps, 100 * primitiveMs / stepMs,
                (stepMs - primitiveMs) / steps, 100 * (stepMs - primitiveMs) / stepMs));
        sb.append("| Primitive | Implementation | Propagation | Calls per step | ms per step | % of step |\n|---|---|---|---:|---:|---:|\n");
        for (Map.Entry<String, Sum> e : sorted) {
            String[] k = e.getKey().split(" \\| ");
            sb.append(String.format("| %s | %s | %s | %.0f | %.1f | %.1f%% |%n", k[0], k[1], k[2], e.getValue().count / (double) steps,
                    e.getValue().ms / steps, 100 * e.getValue().ms / stepMs));
        }
        return sb.toString();
    }

    private static int indexOf(String[] f, String s) {
        for (int i = 0; i < f.length; i++) if (f[i].equals(s)) return i;
        return -1;
    }
}
