package dev.convkit.bench.shapes;

import dev.convkit.bench.Args;
import dev.convkit.bench.Workload;
import dev.convkit.graph.Instr;
import dev.convkit.graph.Program;
import dev.convkit.graph.ProgramBuilder;
import dev.convkit.ops.BatchNormTrain;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.DenseOp;
import dev.convkit.ops.Pool2d;
import dev.convkit.tensor.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes (or checks) models/shapes/DRIVER_MODEL.txt: the distinct conv, bnorm, pool and ip problems of each
 * benchmarked zoo model's training step at its benchmark batch, read from the lowered program, so the per-op
 * benchmarks time exactly the shapes the whole-step benchmarks run. A shape occurring N times is listed once, its
 * name ending in "xN".
 *
 * <pre>java -cp benchmarks.jar dev.convkit.bench.shapes.ShapeExtractor --dir models/shapes [--check]</pre>
 */
public final class ShapeExtractor {
    /** One workload per model: the batch its shapes are written at. */
    public static final List<String> WORKLOADS = List.of("ResNet20v1:128", "ResNet56v1:128", "DenseNet-BC-100-k12:64",
            "VGG16-CIFAR100:64", "ResNet50-CIFAR100:32", "MNIST-CNN:128");

    private ShapeExtractor() {}

    public static void main(String[] argv) throws IOException {
        Args a = new Args(argv, "ShapeExtractor [--dir models/shapes] [--check true]");
        Path dir = Path.of(a.get("dir", "models/shapes"));
        boolean check = Boolean.parseBoolean(a.get("check", "false"));
        a.requireAllUsed();
        Map<String, String> files = generate();
        List<String> stale = new ArrayList<>();
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            boolean same = Files.exists(p) && Files.readString(p).equals(f.getValue());
            if (check) {
                if (!same) stale.add(f.getKey());
            } else if (!same) {
                Files.createDirectories(dir);
                Files.writeString(p, f.getValue());
                System.out.println("wrote " + p);
            }
        }
        if (!stale.isEmpty()) {
            System.err.println("shape lists out of date with the model zoo: " + stale + " in " + dir
                    + "; regenerate with ShapeExtractor --dir " + dir);
            System.exit(1);
        }
        if (check) System.out.println(files.size() + " shape lists in " + dir + " match the zoo");
    }

    /** File name → content, for every workload and driver that has problems. */
    public static Map<String, String> generate() {
        Map<String, String> files = new LinkedHashMap<>();
        for (String config : WORKLOADS) {
            Workload w = Workload.parse(config);
            Program p = ProgramBuilder.training(w.build(), w.batch(), ProgramBuilder.Labels.SPARSE);
            Map<String, Map<String, List<String>>> byDriver = new LinkedHashMap<>();
            for (String d : List.of("conv", "bnorm", "pool", "ip")) byDriver.put(d, new LinkedHashMap<>());
            for (Instr i : p.instrs()) {
                String origin = i.origin() == null ? "op" + i.index() : i.origin().replace(',', ';').replace('"', '\'');
                TensorSpec x = i.inputs().get(0).spec();
                if (i.op() instanceof Conv2d c) {
                    add(byDriver.get("conv"), ConvShape.of(x, i.inputs().get(1).spec(), c.window(), "").line(), origin);
                } else if (i.op() instanceof BatchNormTrain) {
                    add(byDriver.get("bnorm"), BnormShape.of(x, "").line(), origin);
                } else if (i.op() instanceof Pool2d pool) {
                    add(byDriver.get("pool"), PoolShape.of(pool, x, "").line(), origin);
                } else if (i.op() instanceof DenseOp) {
                    add(byDriver.get("ip"), new IpShape(x.dim(0), x.dim(1), i.inputs().get(1).spec().dim(1), "").line(), origin);
                }
            }
            for (Map.Entry<String, Map<String, List<String>>> d : byDriver.entrySet()) {
                if (d.getValue().isEmpty()) continue;
                StringBuilder sb = new StringBuilder();
                sb.append("# ").append(d.getKey()).append(" problems of ").append(w.model()).append("'s training step at batch ")
                        .append(w.batch()).append(", in benchdnn's notation (see bench/README.md).\n")
                        .append("# Generated from the model zoo by ShapeExtractor; 'xN' ends the name of a shape the model runs N times.\n");
                for (Map.Entry<String, List<String>> s : d.getValue().entrySet()) {
                    List<String> origins = s.getValue();
                    String name = w.model() + ":" + origins.get(0) + (origins.size() > 1 ? " x" + origins.size() : "");
                    sb.append(s.getKey()).append("n\"").append(name).append("\"\n");
                }
                files.put(d.getKey() + "_" + w.model() + ".txt", sb.toString());
            }
        }
        return files;
    }

    private static void add(Map<String, List<String>> shapes, String line, String origin) {
        shapes.computeIfAbsent(line, k -> new ArrayList<>()).add(origin);
    }
}
