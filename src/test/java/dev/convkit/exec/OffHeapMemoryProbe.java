package dev.convkit.exec;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Backends;
import dev.convkit.graph.Input;
import dev.convkit.graph.Model;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.Padding;
import dev.convkit.ops.AdamUpdate;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * The measured side of {@link OffHeapMemoryTest}, run in a JVM of its own whose heap is fixed and pre-touched
 * ({@code -Xms = -Xmx}, {@code -XX:+AlwaysPreTouch}) and which compiles with C1 only, so every heap page is resident
 * from the start and the growth of VmRSS after warm-up is growth of native memory. Trains a tiny conv stack with Adam
 * for {@code steps} steps on engine {@code args[0]} and prints one line {@code RESULT key=value ...} that the test
 * parses.
 */
public final class OffHeapMemoryProbe {
    static final int BATCH = 4;

    private OffHeapMemoryProbe() {}

    /** Input (3, 8, 8) → conv 3x3 (8) → BN → ReLU → conv 3x3/2 (8) + ReLU → Flatten (128) → Dense (4). */
    static Model tinyConvStack() {
        SymbolicTensor image = Input.of("image", 3, 8, 8);
        SymbolicTensor x = new Conv2D("conv1", 8, 3).padding(Padding.SAME).apply(image);
        x = Activation.relu("relu1").apply(new BatchNormalization("bn1").apply(x));
        x = new Conv2D("conv2", 8, 3).strides(2).padding(Padding.SAME).activation("relu").apply(x);
        return new Model("tiny_conv_stack", image, new Dense("dense", 4).apply(new Flatten("flatten").apply(x)));
    }

    /** Arguments: engine name, warm-up steps, total steps. */
    public static void main(String[] args) throws IOException {
        String engine = args[0];
        int warmup = Integer.parseInt(args[1]), steps = Integer.parseInt(args[2]);
        Random rnd = new Random(1);
        float[] batch = new float[BATCH * 3 * 8 * 8];
        for (int i = 0; i < batch.length; i++) batch[i] = (float) rnd.nextGaussian();
        float[][] inputs = {batch};
        float[] labels = {0, 1, 2, 3};
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Backend backend = Backends.provider(engine).open(BackendOptions.defaults());
             CompiledModel cm = new CompiledModel(tinyConvStack(), backend, AdamUpdate.kerasDefaults())) {
            cm.initialize(1);
            long t0 = System.nanoTime();
            float firstLoss = cm.trainStep(inputs, labels, Labels.SPARSE, 1e-3f).loss();
            for (int s = 2; s <= warmup; s++) cm.trainStep(inputs, labels, Labels.SPARSE, 1e-3f);
            long warmupNanos = System.nanoTime() - t0;
            long rssWarm = rssBytes();
            long heapBefore = threads.getCurrentThreadAllocatedBytes();
            long t1 = System.nanoTime();
            float lastLoss = Float.NaN;
            for (int s = warmup + 1; s <= steps; s++) lastLoss = cm.trainStep(inputs, labels, Labels.SPARSE, 1e-3f).loss();
            long loopNanos = System.nanoTime() - t1;
            long heapPerStep = (threads.getCurrentThreadAllocatedBytes() - heapBefore) / Math.max(1, steps - warmup);
            long rssEnd = rssBytes();
            System.out.println(String.format(Locale.ROOT, "RESULT rssWarm=%d rssEnd=%d heapCommitted=%d warmupMs=%d loopMs=%d "
                    + "heapPerStep=%d firstLoss=%s lastLoss=%s", rssWarm, rssEnd, Runtime.getRuntime().totalMemory(),
                    warmupNanos / 1_000_000, loopNanos / 1_000_000, heapPerStep,
                    firstLoss, lastLoss));
        }
    }

    static long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        throw new IllegalStateException("/proc/self/status has no VmRSS line");
    }
}
