package dev.convkit.bench;

import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.models.ModelRegistry;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One benchmarked configuration, named as the PyTorch reference's bench.py names it ({@code ResNet20v1:128}) so
 * rows of both sides line up: a zoo model and a batch size. Registry names are accepted too ({@code mnist_cnn:128}).
 */
public record Workload(String label, String model, int batch) {
    /** bench.py's model names → ConvKit's registry names. */
    private static final Map<String, String> REFERENCE_NAMES = Map.of(
            "ResNet20v1", "resnet20v1",
            "ResNet56v1", "resnet56v1",
            "DenseNet-BC-100-k12", "densenet_bc_100_k12",
            "VGG16-CIFAR100", "vgg16_cifar100",
            "ResNet50-CIFAR100", "resnet50_cifar100",
            "MNIST-CNN", "mnist_cnn");

    /** bench.py's default rows, in its order. */
    public static final List<String> DEFAULTS = List.of("ResNet20v1:32", "ResNet20v1:128", "ResNet56v1:128",
            "DenseNet-BC-100-k12:64", "VGG16-CIFAR100:64", "ResNet50-CIFAR100:32", "MNIST-CNN:128");

    /** Parses {@code NAME:BATCH}; NAME is a bench.py name or a registry name. */
    public static Workload parse(String config) {
        int colon = config.lastIndexOf(':');
        if (colon <= 0 || colon == config.length() - 1) {
            throw new IllegalArgumentException("workload '" + config + "' must be NAME:BATCH, e.g. ResNet20v1:128");
        }
        String name = config.substring(0, colon);
        int batch;
        try {
            batch = Integer.parseInt(config.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("workload '" + config + "': batch '" + config.substring(colon + 1) + "' is not an integer");
        }
        if (batch < 1) throw new IllegalArgumentException("workload '" + config + "': batch must be >= 1");
        String model = REFERENCE_NAMES.getOrDefault(name, name);
        if (!ModelRegistry.names().contains(model)) {
            throw new IllegalArgumentException("workload '" + config + "': unknown model '" + name + "'; use one of "
                    + REFERENCE_NAMES.keySet() + " or a registry name " + ModelRegistry.names());
        }
        return new Workload(config, model, batch);
    }

    public Model build() { return ModelRegistry.create(model); }

    /** Classes of the model's logits (its single output's last dimension). */
    public static int classes(Model m) {
        SymbolicTensor out = m.outputs().get(0);
        return out.shape().dim(-1);
    }

    /** Standard-normal inputs, one NCHW array per model input, as bench.py's {@code torch.randn}. */
    public float[][] randomInputs(Model m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] xs = new float[m.inputs().size()][];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = new float[Math.toIntExact(batch * m.inputs().get(i).shape().size())];
            for (int j = 0; j < xs[i].length; j++) xs[i][j] = (float) gaussian(r);
        }
        return xs;
    }

    /** Uniform class indices in [0, classes), as bench.py's {@code torch.randint}. */
    public float[] randomLabels(Model m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] y = new float[batch];
        int classes = classes(m);
        for (int i = 0; i < batch; i++) y[i] = r.nextInt(classes);
        return y;
    }

    private static double gaussian(SplittableRandom r) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u = 1.0 - r.nextDouble(), v = r.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2.0 * Math.PI * v);
    }
}
