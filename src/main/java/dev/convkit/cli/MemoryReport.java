package dev.convkit.cli;

import dev.convkit.backend.Backend;
import dev.convkit.backend.MemoryKind;
import dev.convkit.exec.CompiledModel;
import dev.convkit.graph.Model;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.ops.OptimizerUpdate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code summary --batch-size N}: the bytes the executor plans per arena ({@link CompiledModel#plan}) for one
 * training step and for inference, before anything of the step is allocated, and, with {@code --measure}, how much
 * the process's resident memory grew while a real training step ran (Linux, cpu engine).
 */
final class MemoryReport {
    private MemoryReport() {}

    /** Row order and names of the table. */
    private static final List<Map.Entry<MemoryKind, String>> ROWS = List.of(Map.entry(MemoryKind.PARAMS, "parameters"),
            Map.entry(MemoryKind.GRADS, "gradients"), Map.entry(MemoryKind.OPTIMIZER_STATE, "optimizer state"),
            Map.entry(MemoryKind.ACTIVATIONS, "activations"), Map.entry(MemoryKind.SAVED, "saved for backward"),
            Map.entry(MemoryKind.SCRATCH, "scratch"), Map.entry(MemoryKind.IO, "inputs and outputs"));

    /** Planned bytes per arena of a training step and of inference (which needs no gradients or optimizer state). */
    record Plan(Map<MemoryKind, Long> training, Map<MemoryKind, Long> inference) {
        long trainingTotal() { return training.values().stream().mapToLong(Long::longValue).sum(); }
        long inferenceTotal() { return inference.values().stream().mapToLong(Long::longValue).sum(); }
    }

    static Plan plan(CompiledModel cm, int batch) {
        Map<MemoryKind, Long> train = cm.plan(batch, true, Labels.SPARSE);
        Map<MemoryKind, Long> infer = new EnumMap<>(cm.plan(batch, false, Labels.SPARSE));
        infer.put(MemoryKind.GRADS, 0L);
        infer.put(MemoryKind.OPTIMIZER_STATE, 0L);
        return new Plan(train, infer);
    }

    static String table(Plan p, String header) {
        StringBuilder sb = new StringBuilder(header).append('\n');
        sb.append(String.format(Locale.ROOT, "  %-20s %16s %16s%n", "arena", "training step", "inference"));
        for (Map.Entry<MemoryKind, String> r : ROWS) {
            long t = p.training().getOrDefault(r.getKey(), 0L), i = p.inference().getOrDefault(r.getKey(), 0L);
            sb.append(String.format(Locale.ROOT, "  %-20s %16s %16s%n", r.getValue(), mib(t), i == 0 && t > 0 ? "-" : mib(i)));
        }
        sb.append(String.format(Locale.ROOT, "  %-20s %16s %16s%n", "total", mib(p.trainingTotal()), mib(p.inferenceTotal())));
        return sb.toString();
    }

    static String mib(long bytes) { return String.format(Locale.ROOT, "%.2f MiB", bytes / 1048576.0); }

    /**
     * Builds the model on the engine and runs one training step on random data of {@code batch} images, and returns
     * how many bytes the resident set grew to at its peak over what it was before (Linux: the peak is reset through
     * {@code /proc/self/clear_refs} first, then read as VmHWM). Everything the step allocates counts: arenas,
     * engine-side caches, and the JVM's own growth (compiled code, loaded classes).
     */
    static long measureTrainingStep(Model model, Backend backend, OptimizerUpdate update, int batch) throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) throw new CliException("--measure reads the resident memory from /proc/self/status, which this system lacks");
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");      // resets VmHWM to the current VmRSS
        } catch (IOException | SecurityException e) {
            // an older kernel: VmHWM then also holds earlier peaks, and the growth reads higher
        }
        long before = kib(status, "VmRSS:");
        try (CompiledModel cm = new CompiledModel(model, backend, update)) {
            cm.initialize(1);
            int count = 1;
            for (int d : model.inputs().get(0).shape().dims()) count *= d;
            Random rnd = new Random(1);
            float[] images = new float[batch * count];
            for (int i = 0; i < images.length; i++) images[i] = rnd.nextFloat();
            float[][] inputs = new float[model.inputs().size()][];
            Arrays.fill(inputs, images);
            int classes = model.outputs().get(0).shape().dim(0);
            float[] labels = new float[batch];
            for (int i = 0; i < batch; i++) labels[i] = rnd.nextInt(classes);
            cm.trainStep(inputs, labels, Labels.SPARSE, 1e-3f);
        }
        return (kib(status, "VmHWM:") - before) * 1024;
    }

    private static long kib(Path status, String key) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith(key)) return Long.parseLong(line.substring(key.length()).replace("kB", "").strip());
        }
        throw new CliException("/proc/self/status has no " + key + " line");
    }
}
