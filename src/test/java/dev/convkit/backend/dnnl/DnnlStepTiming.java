package dev.convkit.backend.dnnl;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Backends;
import dev.convkit.exec.CompiledModel;
import dev.convkit.graph.Model;
import dev.convkit.graph.ProgramBuilder.Labels;
import dev.convkit.models.ModelRegistry;
import dev.convkit.ops.SgdUpdate;
import java.util.Arrays;
import java.util.Random;

/**
 * A quick timing tool for the cpu engine (not a test): median img/s of the training step (SGD momentum 0.9, sparse
 * labels) or the inference step of a zoo model on fixed random inputs. Usage:
 * {@code java -cp ... dev.convkit.backend.dnnl.DnnlStepTiming MODEL BATCH train|infer [SECONDS]}.
 * Set {@code ONEDNN_VERBOSE=1} and {@code SECONDS=0} to log the primitives of one step after warm-up, and
 * {@code -Dconvkit.cpu.fused=false} to time the unfused program ({@link BackendOptions#fusedOps()} off), the
 * "before" of a fusion's before/after.
 */
public final class DnnlStepTiming {
    private DnnlStepTiming() {}

    public static void main(String[] args) {
        String name = args[0];
        int batch = Integer.parseInt(args[1]);
        boolean train = args[2].equals("train");
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 10;
        Model model = ModelRegistry.create(name);
        long perSample = model.inputs().get(0).shape().size();
        int classes = model.outputs().get(0).shape().dim(-1);
        Random rnd = new Random(1);
        float[][] inputs = new float[model.inputs().size()][(int) (perSample * batch)];
        for (float[] in : inputs) for (int i = 0; i < in.length; i++) in[i] = (float) rnd.nextGaussian();
        float[] labels = new float[batch];
        for (int i = 0; i < batch; i++) labels[i] = rnd.nextInt(classes);
        boolean fused = !"false".equals(System.getProperty("convkit.cpu.fused"));
        try (Backend engine = Backends.open("cpu", BackendOptions.defaults().withFusedOps(fused));
             CompiledModel m = new CompiledModel(model, engine, new SgdUpdate(0.9f, false))) {
            m.initialize(0);
            Runnable step = train ? () -> m.trainStep(inputs, labels, Labels.SPARSE, 0.01f)
                    : () -> m.testStep(inputs, null, null);
            long t0 = System.nanoTime();
            step.run();
            System.out.printf("%s:%d %s first step %.0f ms (%s)%n", name, batch, args[2], (System.nanoTime() - t0) / 1e6,
                    engine.device());
            step.run();
            if (seconds <= 0) {
                System.err.println("---- one step ----");
                step.run();
                return;
            }
            double[] times = new double[100000];
            int n = 0;
            long end = System.nanoTime() + (long) (seconds * 1e9);
            while (n < 3 || System.nanoTime() < end) {
                long s = System.nanoTime();
                step.run();
                times[n++] = (System.nanoTime() - s) / 1e6;
            }
            double[] t = Arrays.copyOf(times, n);
            Arrays.sort(t);
            double median = t[n / 2];
            System.out.printf("%s:%d %s: %.1f img/s, median step %.1f ms (p10 %.1f, p90 %.1f), %d steps%n", name, batch,
                    args[2], batch * 1000 / median, median, t[n / 10], t[n * 9 / 10], n);
        }
    }
}
