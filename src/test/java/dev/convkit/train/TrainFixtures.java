package dev.convkit.train;

import dev.convkit.backend.Backend;
import dev.convkit.backend.Backends;
import dev.convkit.data.Dataset;
import dev.convkit.data.DatasetLocator;
import dev.convkit.data.Datasets;
import dev.convkit.data.Split;
import dev.convkit.graph.Input;
import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Dropout;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.testing.TestBackends;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Small real pieces for the trainer tests: an MNIST subset, a tiny CNN, the cpu engine. */
final class TrainFixtures {
    private TrainFixtures() {}

    /** The real MNIST files: the repository's ./data, then the shared folder next to the checkout. No download. */
    private static final DatasetLocator LOCATOR = new DatasetLocator(null, List.of(Path.of("data"), Path.of("..", "shared", "data")),
            Path.of("target", "unused-downloads"), null);

    /** The first {@code n} records of an MNIST split. */
    static Dataset mnist(Split split, int n) { return Datasets.load("mnist", split, LOCATOR, n); }

    /**
     * A tiny MNIST CNN with every kind of state a checkpoint must carry: conv 3x3/2 ({@code filters}) → BN → ReLU →
     * max-pool 2 → flatten → dropout 0.25 → dense 10 with L2 1e-3. With 4 filters: 6x6x4 = 144 features, 1,502 weights.
     */
    static Model tinyCnn(String name, int filters) {
        SymbolicTensor image = Input.of("image", 1, 28, 28);
        SymbolicTensor x = new Conv2D("conv", filters, 3).strides(2).apply(image);
        x = new BatchNormalization("bn").apply(x);
        x = new dev.convkit.layers.Activation("relu", "relu").apply(x);
        x = new MaxPooling2D("pool", 2).apply(x);
        x = new Flatten("flatten").apply(x);
        x = new Dropout("dropout", 0.25f).apply(x);
        x = new Dense("dense", 10).kernelRegularizerL2(1e-3f).apply(x);
        return new Model(name, image, x);
    }

    /** The cpu (oneDNN) engine with deterministic algorithms; the test is skipped, with the reason, where it cannot run. */
    static Backend cpu() { return TestBackends.open(Backends.provider("cpu")); }

    /** Largest absolute difference between two parameter maps with the same keys. */
    static float maxDiff(Map<String, float[]> a, Map<String, float[]> b) {
        if (!a.keySet().equals(b.keySet())) throw new AssertionError("different parameter names: " + a.keySet() + " vs " + b.keySet());
        float max = 0;
        for (String k : a.keySet()) {
            float[] x = a.get(k), y = b.get(k);
            if (x.length != y.length) throw new AssertionError(k + ": lengths " + x.length + " vs " + y.length);
            for (int i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }
}
