package dev.convkit.models;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Model;
import dev.convkit.tensor.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model zoo by name: {@code ModelRegistry.create("resnet20v1", ModelConfig.defaults())}. Every entry states
 * its default input (C, H, W) and class count; the generic families ({@code resnet_v1}, {@code resnet_v2},
 * {@code densenet_bc}) also take a depth (and growth rate). Tests and the command line list {@link #names()}.
 */
public final class ModelRegistry {

    /** What a factory receives: the config resolved against the entry's defaults. */
    public record Args(Shape input, int classes, int depth, int growthRate) {}

    @FunctionalInterface
    public interface Factory {
        Model build(Args args);
    }

    /**
     * A registered model.
     *
     * @param inputs             number of model inputs (each of shape {@code defaultInput} unless overridden)
     * @param defaultDepth       0 when the model has no depth option
     * @param defaultGrowthRate  0 when the model has no growth-rate option
     */
    public record Entry(String name, String description, Shape defaultInput, int inputs, int defaultClasses,
                        int defaultDepth, int defaultGrowthRate, Factory factory) {}

    private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

    static {
        Shape cifar = Shape.of(3, 32, 32), mnist = Shape.of(1, 28, 28), imagenet = Shape.of(3, 224, 224);
        for (int depth : new int[] {20, 32, 44, 56, 110}) {
            fixed("resnet" + depth + "v1", "ResNet-" + depth + " v1 for CIFAR (Keras cifar10_resnet, 6n+2)", cifar, 10,
                    a -> ResNetCifar.v1(depth, a.input(), a.classes()));
        }
        for (int depth : new int[] {29, 56, 110}) {
            fixed("resnet" + depth + "v2", "ResNet-" + depth + " v2 pre-activation bottleneck for CIFAR (9n+2)", cifar, 10,
                    a -> ResNetCifar.v2(depth, a.input(), a.classes()));
        }
        register(new Entry("resnet_v1", "ResNet v1 for CIFAR of any depth 6n+2 (default 20)", cifar, 1, 10, 20, 0,
                a -> ResNetCifar.v1(a.depth(), a.input(), a.classes())));
        register(new Entry("resnet_v2", "ResNet v2 for CIFAR of any depth 9n+2 (default 29)", cifar, 1, 10, 29, 0,
                a -> ResNetCifar.v2(a.depth(), a.input(), a.classes())));
        fixed("densenet_bc_100_k12", "DenseNet-BC-100, growth 12, compression 0.5, for CIFAR", cifar, 10,
                a -> DenseNet.bc(100, 12, a.input(), a.classes()));
        register(new Entry("densenet_bc", "DenseNet-BC for CIFAR of depth 6n+4 and growth k (default 100, 12)", cifar,
                1, 10, 100, 12, a -> DenseNet.bc(a.depth(), a.growthRate(), a.input(), a.classes())));
        fixed("densenet121", "DenseNet-121 (keras.applications) for ImageNet-size inputs", imagenet, 1000,
                a -> DenseNet.densenet121(a.input(), a.classes()));
        fixed("resnet18", "ResNet-18 v1.5, basic blocks 2-2-2-2, bias-free convs", imagenet, 1000,
                a -> ResNet.resnet18(a.input(), a.classes()));
        fixed("resnet34", "ResNet-34 v1.5, basic blocks 3-4-6-3, bias-free convs", imagenet, 1000,
                a -> ResNet.resnet34(a.input(), a.classes()));
        fixed("resnet50", "ResNet-50 v1.5 (model-garden Keras), bias-free convs", imagenet, 1000,
                a -> ResNet.resnet50(a.input(), a.classes()));
        fixed("resnet50_cifar100", "ResNet-50 at 32x32 with 100 classes", cifar, 100,
                a -> ResNet.resnet50(a.input(), a.classes()));
        fixed("resnet101", "ResNet-101 v1.5, bottlenecks 3-4-23-3, bias-free convs", imagenet, 1000,
                a -> ResNet.resnet101(a.input(), a.classes()));
        fixed("resnet152", "ResNet-152 v1.5, bottlenecks 3-8-36-3, bias-free convs", imagenet, 1000,
                a -> ResNet.resnet152(a.input(), a.classes()));
        fixed("mobilenet_v2", "MobileNetV2 alpha 1.0 (keras.applications): inverted residuals, depthwise convs",
                imagenet, 1000, a -> MobileNetV2.imagenet(a.input(), a.classes()));
        fixed("mobilenet_v2_cifar", "MobileNetV2 for CIFAR: stem and first stride-2 stage at stride 1", cifar, 10,
                a -> MobileNetV2.cifar(a.input(), a.classes()));
        fixed("vgg16", "VGG16 with its fully connected top", imagenet, 1000, a -> Vgg16.build(a.input(), a.classes()));
        fixed("vgg16_cifar100", "VGG16 at 32x32 with 100 classes", cifar, 100, a -> Vgg16.build(a.input(), a.classes()));
        fixed("alexnet", "AlexNet, single tower, no LRN", Shape.of(3, 227, 227), 1000,
                a -> AlexNet.build(a.input(), a.classes()));
        fixed("mnist_cnn", "MNIST CNN: 3 convs of 64, dropout 0.3, dense", mnist, 10, a -> MnistCnn.build(a.input(), a.classes()));
        register(new Entry("y_network", "Y-Network: two MNIST inputs, plain and dilated branches", mnist, 2, 10, 0, 0,
                a -> YNetwork.build(a.input(), a.classes())));
        fixed("mnist_resnet", "small MNIST ResNet: 7x7 stem, two identity blocks", mnist, 10,
                a -> MnistResNet.build(a.input(), a.classes()));
        fixed("mnist_densenet", "small MNIST DenseNet: 7x7 stem, two dense blocks of 4", mnist, 10,
                a -> MnistDenseNet.build(a.input(), a.classes()));
    }

    private ModelRegistry() {}

    private static void fixed(String name, String description, Shape input, int classes, Factory f) {
        register(new Entry(name, description, input, 1, classes, 0, 0, f));
    }

    /** Adds a model; its name must be new. */
    public static synchronized void register(Entry e) {
        if (ENTRIES.containsKey(e.name())) throw new GraphException("model '" + e.name() + "' is already registered");
        ENTRIES.put(e.name(), e);
    }

    /** Registered names, in registration order. */
    public static synchronized List<String> names() { return List.copyOf(ENTRIES.keySet()); }

    public static synchronized Entry entry(String name) {
        Entry e = ENTRIES.get(name);
        if (e == null) throw new GraphException("unknown model '" + name + "'; valid names: " + String.join(", ", ENTRIES.keySet()));
        return e;
    }

    public static Model create(String name) { return create(name, ModelConfig.defaults()); }

    /** Builds the model {@code name} with {@code config}'s overrides of its defaults. */
    public static Model create(String name, ModelConfig config) {
        Entry e = entry(name);
        List<String> unsupported = new ArrayList<>();
        if (config.depth().isPresent() && e.defaultDepth() == 0) unsupported.add("depth");
        if (config.growthRate().isPresent() && e.defaultGrowthRate() == 0) unsupported.add("growth rate");
        if (!unsupported.isEmpty()) {
            List<String> generic = names().stream().filter(n -> entry(n).defaultDepth() > 0).toList();
            throw new GraphException("model '" + name + "' takes no " + String.join(" or ", unsupported)
                    + "; models with a depth option: " + String.join(", ", generic));
        }
        Args args = new Args(config.input().orElse(e.defaultInput()), config.classes().orElse(e.defaultClasses()),
                config.depth().orElse(e.defaultDepth()), config.growthRate().orElse(e.defaultGrowthRate()));
        return e.factory().build(args);
    }
}
