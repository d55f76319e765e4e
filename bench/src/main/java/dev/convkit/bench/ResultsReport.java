package dev.convkit.bench;

import dev.convkit.bench.shapes.BnormShape;
import dev.convkit.bench.shapes.ConvShape;
import dev.convkit.bench.shapes.IpShape;
import dev.convkit.bench.shapes.PoolShape;
import dev.convkit.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one BenchMain results folder into markdown: the sgemm peak, every op (median of JMH's sampled invocation
 * times, with the mean beside it) with its GFLOP/s (conv, dense) or
 * GB/s (batch norm, pooling) and its fraction of the peak, the per-model sum of op times per training step, the
 * whole-step images/s with each fork's peak RSS, and the start-up time.
 *
 * <pre>java -cp benchmarks.jar dev.convkit.bench.ResultsReport results/2026-11-23-1930</pre>
 */
public final class ResultsReport {
    private ResultsReport() {}

    public static void main(String[] argv) throws IOException {
        if (argv.length != 1) throw new IllegalArgumentException("usage: ResultsReport RESULTS_FOLDER");
        System.out.println(render(Path.of(argv[0])));
    }

    public static String render(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        Path machine = dir.resolve("machine.json");
        if (Files.exists(machine)) sb.append("Machine: `").append(Json.write(Json.parse(Files.readString(machine)))).append("`\n\n");
        double peak = Double.NaN;
        for (Map<String, Object> r : results(dir.resolve("peak.json"))) {
            IpShape s = IpShape.parse(param(r, "shape"));
            double ms = score(r);
            peak = s.flops() / (ms * 1e6);
            sb.append(String.format("sgemm peak through the engine (%s, Dense %dx%d by %dx%d): median %.2f ms (mean %.2f) ="
                    + " **%.1f GFLOP/s**%n%n", param(r, "engine"), s.mb(), s.ic(), s.ic(), s.oc(), ms, mean(r), peak));
        }
        Map<String, double[]> perModel = new LinkedHashMap<>();  // "model|driver" -> summed ms per step
        for (String driver : List.of("conv", "ip", "bnorm", "pool")) {
            List<Map<String, Object>> rs = results(dir.resolve("ops-" + driver + ".json"));
            if (rs.isEmpty()) continue;
            boolean flops = driver.equals("conv") || driver.equals("ip");
            sb.append("### ").append(driver).append("\n\n| Problem | Dir | Engine | median ms/op (mean) | ").append(flops ? "GFLOP/s | % of peak" : "GB/s (min. traffic)")
                    .append(" |\n|---|---|---|---:|---:|").append(flops ? "---:|" : "").append('\n');
            for (Map<String, Object> r : rs) {
                String line = param(r, "shape"), dirn = param(r, "dir");
                double ms = score(r);
                sb.append("| `").append(line).append("` | ").append(dirn).append(" | ").append(param(r, "engine"))
                        .append(String.format(" | %.3f (%.3f) | ", ms, mean(r)));
                String name;
                if (flops) {
                    double f = driver.equals("conv") ? ConvShape.parse(line).flops() : IpShape.parse(line).flops();
                    name = driver.equals("conv") ? ConvShape.parse(line).name() : IpShape.parse(line).name();
                    double g = f / (ms * 1e6);
                    // Without a peak suite in this folder there is nothing to divide by: say so, not NaN%.
                    sb.append(Double.isNaN(peak) ? String.format("%.1f | (no peak run)", g)
                            : String.format("%.1f | %.0f%%", g, 100 * g / peak));
                } else {
                    double bytes;
                    if (driver.equals("bnorm")) {
                        BnormShape s = BnormShape.parse(line);
                        name = s.name();
                        bytes = s.tensorBytes() * (dirn.equals("fwd") ? 2 : 3);
                    } else {
                        PoolShape s = PoolShape.parse(line);
                        name = s.name();
                        bytes = 4.0 * s.mb() * s.ic() * ((double) s.ih() * s.iw() + (double) s.oh() * s.ow());
                    }
                    sb.append(String.format("%.1f", bytes / (ms * 1e6)));
                }
                sb.append(" |\n");
                int colon = name.indexOf(':');
                if (colon > 0) {
                    perModel.computeIfAbsent(name.substring(0, colon) + "|" + driver + "|" + param(r, "engine"), k -> new double[1])[0]
                            += ms * occurrences(name);
                }
            }
            sb.append('\n');
        }
        if (!perModel.isEmpty()) {
            sb.append("Per model, op time in one training step = sum over its shapes of (occurrences x time of every direction run)"
                    + " (the first conv's backward-data is counted though a step skips it):\n\n| Model | Driver | Engine | ms per step |\n|---|---|---|---:|\n");
            perModel.forEach((k, v) -> {
                String[] p = k.split("\\|");
                sb.append(String.format("| %s | %s | %s | %.1f |%n", p[0], p[1], p[2], v[0]));
            });
            sb.append('\n');
        }
        stepTables(dir, sb);
        for (Path p : list(dir, "startup-")) {
            Map<String, Object> s = Json.parseObject(Files.readString(p));
            sb.append(String.format("JVM start to end of the first training step, %s on %s: median %.0f ms [%.0f-%.0f] over %s fresh JVMs"
                            + " (main at %.0f ms, engine open at %.0f, model ready at %.0f, first step %.0f ms)%n%n", s.get("config"),
                    s.get("engine"), Json.toDouble(s.get("first_step_end_ms_median")), Json.toDouble(s.get("first_step_end_ms_min")),
                    Json.toDouble(s.get("first_step_end_ms_max")), s.get("runs"), Json.toDouble(s.get("main_ms_median")),
                    Json.toDouble(s.get("engine_open_ms_median")), Json.toDouble(s.get("model_ready_ms_median")),
                    Json.toDouble(s.get("first_step_ms_median"))));
        }
        Path skipped = dir.resolve("skipped.txt");
        if (Files.exists(skipped)) for (String s : Files.readAllLines(skipped)) sb.append("- ").append(s).append('\n');
        return sb.toString();
    }

    private static void stepTables(Path dir, StringBuilder sb) throws IOException {
        Map<String, Map<String, Object>> train = byWorkload(results(dir.resolve("steps-train.json")));
        Map<String, Map<String, Object>> infer = byWorkload(results(dir.resolve("steps-infer.json")));
        if (train.isEmpty() && infer.isEmpty()) return;
        Map<String, Double> rss = new LinkedHashMap<>();
        Path log = dir.resolve("rss.jsonl");
        if (Files.exists(log)) {
            for (String line : Files.readAllLines(log)) {
                if (line.isBlank()) continue;
                Map<String, Object> r = Json.parseObject(line);
                rss.merge(r.get("workload") + "|" + r.get("engine") + "|" + r.get("mode"), Json.toDouble(r.get("vmhwm_mib")), Math::max);
            }
        }
        sb.append("| Workload | Engine | Train img/s | Infer img/s | Peak RSS MiB train / infer (JMH fork) |\n|---|---|---:|---:|---:|\n");
        List<String> keys = new ArrayList<>(train.keySet());
        for (String k : infer.keySet()) if (!keys.contains(k)) keys.add(k);
        for (String k : keys) {
            String[] p = k.split("\\|");
            sb.append("| ").append(p[0]).append(" | ").append(p[1]).append(" | ").append(images(train.get(k))).append(" | ")
                    .append(images(infer.get(k))).append(" | ").append(mib(rss.get(k + "|train"))).append(" / ")
                    .append(mib(rss.get(k + "|infer"))).append(" |\n");
        }
        sb.append('\n');
    }

    private static Map<String, Map<String, Object>> byWorkload(List<Map<String, Object>> rs) {
        Map<String, Map<String, Object>> m = new LinkedHashMap<>();
        for (Map<String, Object> r : rs) m.put(param(r, "workload") + "|" + param(r, "engine"), r);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static String images(Map<String, Object> r) {
        if (r == null) return "-";
        Map<String, Object> sec = (Map<String, Object>) r.get("secondaryMetrics");
        Map<String, Object> img = sec == null ? null : (Map<String, Object>) sec.get("images");
        if (img == null) return "-";
        return String.format("%.1f ± %.1f", number(img.get("score")), number(img.get("scoreError")));
    }

    private static String mib(Double v) { return v == null ? "-" : String.format("%.0f", v); }

    /** "... x6" → 6; 1 without a suffix. */
    static int occurrences(String name) {
        int x = name.lastIndexOf(" x");
        if (x < 0) return 1;
        try {
            return Integer.parseInt(name.substring(x + 2));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(Path file) throws IOException {
        if (!Files.exists(file)) return List.of();
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : (List<Object>) Json.parse(Files.readString(file))) out.add((Map<String, Object>) o);
        return out;
    }

    @SuppressWarnings("unchecked")
    private static String param(Map<String, Object> r, String name) {
        Map<String, Object> p = (Map<String, Object>) r.get("params");
        return p == null ? "" : String.valueOf(p.get(name));
    }

    /** The median of a sample-time result (robust to another process's bursts), else JMH's score. */
    @SuppressWarnings("unchecked")
    private static double score(Map<String, Object> r) {
        Map<String, Object> m = (Map<String, Object>) r.get("primaryMetric");
        Map<String, Object> pct = (Map<String, Object>) m.get("scorePercentiles");
        if ("sample".equals(r.get("mode")) && pct != null && pct.get("50.0") != null) return number(pct.get("50.0"));
        return number(m.get("score"));
    }

    /** The mean, for comparison with the median. */
    @SuppressWarnings("unchecked")
    private static double mean(Map<String, Object> r) {
        return number(((Map<String, Object>) r.get("primaryMetric")).get("score"));
    }

    /** A JMH JSON number; JMH writes an undefined error (one iteration) as the string "NaN". */
    private static double number(Object v) {
        return v instanceof String s ? Double.parseDouble(s) : Json.toDouble(v);
    }

    private static List<Path> list(Path dir, String prefix) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }
}
