package dev.convkit.bench;

import dev.convkit.io.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runs of a side-by-side session and their summary: per (workload, mode, side) the run with the median
 * images/s represents the cell (bench.py's rule), with the [min-max] over runs and the largest peak RSS.
 */
final class SideBySideTable {
    private final Map<String, List<Map<String, Object>>> runs = new LinkedHashMap<>();

    void add(String config, String mode, String side, Map<String, Object> run) {
        runs.computeIfAbsent(key(config, mode, side), k -> new ArrayList<>()).add(run);
    }

    private static String key(String config, String mode, String side) { return config + "|" + mode + "|" + side; }

    Map<String, List<Map<String, Object>>> runs() { return runs; }

    /** One cell: median-run img/s, min, max, peak RSS (max over runs), median step ms; null if never run. */
    record Cell(double imgPerS, double min, double max, double peakRssMib, double medianMs, int count) {}

    Cell cell(String config, String mode, String side) {
        List<Map<String, Object>> rs = runs.get(key(config, mode, side));
        if (rs == null || rs.isEmpty()) return null;
        List<Map<String, Object>> sorted = new ArrayList<>(rs);
        sorted.sort(Comparator.comparingDouble(r -> Json.toDouble(r.get("img_s_median"))));
        Map<String, Object> med = sorted.get((sorted.size() - 1) / 2);
        double rss = sorted.stream().mapToDouble(r -> Json.toDouble(r.get("peak_rss_mib"))).max().orElse(Double.NaN);
        return new Cell(Json.toDouble(med.get("img_s_median")), Json.toDouble(sorted.get(0).get("img_s_median")),
                Json.toDouble(sorted.get(sorted.size() - 1).get("img_s_median")), rss, Json.toDouble(med.get("median_ms")), rs.size());
    }

    List<Map<String, Object>> summary(List<String> configs) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String c : configs) {
            for (String mode : List.of("train", "infer")) {
                Cell ours = cell(c, mode, SideBySide.OURS), torch = cell(c, mode, SideBySide.TORCH);
                if (ours == null && torch == null) continue;
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("config", c);
                r.put("mode", mode);
                r.put("convkit_img_s", ours == null ? null : ours.imgPerS());
                r.put("pytorch_img_s", torch == null ? null : torch.imgPerS());
                r.put("ratio", ours == null || torch == null ? null : ours.imgPerS() / torch.imgPerS());
                r.put("convkit_peak_rss_mib", ours == null ? null : ours.peakRssMib());
                r.put("pytorch_peak_rss_mib", torch == null ? null : torch.peakRssMib());
                rows.add(r);
            }
        }
        return rows;
    }

    String markdown(List<String> configs, Map<String, Object> meta) {
        StringBuilder sb = new StringBuilder();
        sb.append("ConvKit (").append(meta.get("engine")).append(", OMP_WAIT_POLICY ").append(meta.get("convkit_omp_wait_policy"))
                .append(") vs PyTorch ").append(meta.get("torch"))
                .append(" (torch BLAS: ").append(meta.get("torch_blas")).append("), ").append(meta.get("cpu")).append(", ")
                .append(meta.get("cores")).append(" cores, ").append(meta.get("date")).append("; ")
                .append(meta.get("repeats")).append(" interleaved runs per cell, >= ").append(meta.get("min_time_s"))
                .append(" s timed each; img/s = batch / median step of the median run [min-max over runs];")
                .append(" ratio = ConvKit / PyTorch.\n\n");
        sb.append("| Workload | Train img/s ConvKit | Train img/s PyTorch | Train ratio | Infer img/s ConvKit "
                + "| Infer img/s PyTorch | Infer ratio | Peak RSS MiB train ConvKit / PyTorch | Peak RSS MiB infer ConvKit / PyTorch |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String c : configs) {
            sb.append("| ").append(c);
            for (String mode : List.of("train", "infer")) {
                Cell o = cell(c, mode, SideBySide.OURS), t = cell(c, mode, SideBySide.TORCH);
                sb.append(" | ").append(ips(o)).append(" | ").append(ips(t)).append(" | ")
                        .append(o == null || t == null ? "-" : String.format("%.2f", o.imgPerS() / t.imgPerS()));
            }
            for (String mode : List.of("train", "infer")) {
                Cell o = cell(c, mode, SideBySide.OURS), t = cell(c, mode, SideBySide.TORCH);
                sb.append(" | ").append(rss(o)).append(" / ").append(rss(t));
            }
            sb.append(" |\n");
        }
        return sb.toString();
    }

    private static String ips(Cell c) {
        if (c == null) return "-";
        return c.count() > 1 ? String.format("%.1f [%.1f-%.1f]", c.imgPerS(), c.min(), c.max()) : String.format("%.1f", c.imgPerS());
    }

    private static String rss(Cell c) { return c == null ? "-" : String.format("%.0f", c.peakRssMib()); }
}
