package dev.convkit.models;

import dev.convkit.graph.Initializer;
import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.GlobalAveragePooling2D;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.layers.Padding;
import dev.convkit.tensor.Shape;

/**
 * The small MNIST DenseNet companion of {@link MnistResNet} from the Keras model-subclassing example.
 *
 * <p>No canonical listing of it was available, so this is our reading, kept in the shape of the mini ResNet so the
 * two compare directly: the same stem
 * (conv7x7(64) 'same'-BN-ReLU, max-pool 3: 28 → 9); a dense block of 4 DenseNet-BC bottleneck layers with growth
 * rate 16 (64 → 128 channels); a transition BN-ReLU-conv1x1(64)-AvgPool 2 (9 → 4); a second dense block of 4 layers
 * (64 → 128); final BN-ReLU, global average pool, Dense(classes) logits. Keras defaults: glorot_uniform, biases,
 * BN eps 1e-3, momentum 0.99. Blocks and transitions are {@link DenseNet#denseBlock} and
 * {@link DenseNet#transition}. Layer names: {@code stem/conv}, {@code block1/layer2/conv1},
 * {@code transition1/conv}, {@code head/dense}, ...
 */
public final class MnistDenseNet {
    private static final int GROWTH = 16, LAYERS = 4;

    private MnistDenseNet() {}

    public static Model build(Shape input, int classes) {
        SymbolicTensor image = ZooInputs.image(input);
        SymbolicTensor x = new Conv2D("stem/conv", 64, 7).padding(Padding.SAME).apply(image);
        x = new BatchNormalization("stem/bn").apply(x);
        x = Activation.relu("stem/relu").apply(x);
        x = new MaxPooling2D("stem/pool", 3).apply(x);
        x = DenseNet.denseBlock("block1", x, LAYERS, GROWTH, true, Initializer.GLOROT_UNIFORM, 1e-3f);
        x = DenseNet.transition("transition1", x, 64, true, true, Initializer.GLOROT_UNIFORM, 1e-3f);
        x = DenseNet.denseBlock("block2", x, LAYERS, GROWTH, true, Initializer.GLOROT_UNIFORM, 1e-3f);
        x = new BatchNormalization("head/bn").apply(x);
        x = Activation.relu("head/relu").apply(x);
        x = new GlobalAveragePooling2D("head/avg_pool").apply(x);
        return new Model("mnist_densenet", image, new Dense("head/dense", classes).apply(x));
    }
}
