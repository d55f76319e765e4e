package dev.convkit.models;

import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.Add;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.GlobalAveragePooling2D;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.layers.Padding;
import dev.convkit.tensor.Shape;

/**
 * The small MNIST ResNet of the Keras model-subclassing example (a {@code ResNet(tf.keras.Model)} built from
 * {@code IdentityBlock} sub-models), rewritten on the functional API.
 *
 * <p>Our reading of it: stem conv7x7(64) 'same'-BN-ReLU, max-pool 3x3 (stride 3, valid: 28 → 9), two identity
 * blocks of 64 filters, global average pool, Dense(classes) logits (the example's softmax folded into the loss).
 * An identity block is conv3x3-BN-ReLU-conv3x3-BN-ReLU, add the block input, ReLU (the example applies its ReLU
 * before the add as well as after it). Keras defaults everywhere: glorot_uniform, biases, BN eps 1e-3, momentum
 * 0.99. 152,842 parameters for 10 classes (640 of them non-trainable BN statistics).
 * Layer names: {@code stem/conv}, {@code stem/bn}, {@code stem/relu}, {@code stem/pool},
 * {@code block1/conv1} ... {@code block1/add}, {@code block1/relu}, {@code head/avg_pool}, {@code head/dense}.
 */
public final class MnistResNet {
    private MnistResNet() {}

    public static Model build(Shape input, int classes) {
        SymbolicTensor image = ZooInputs.image(input);
        SymbolicTensor x = new Conv2D("stem/conv", 64, 7).padding(Padding.SAME).apply(image);
        x = new BatchNormalization("stem/bn").apply(x);
        x = Activation.relu("stem/relu").apply(x);
        x = new MaxPooling2D("stem/pool", 3).apply(x);
        x = identityBlock("block1", x, 64, 3);
        x = identityBlock("block2", x, 64, 3);
        x = new GlobalAveragePooling2D("head/avg_pool").apply(x);
        return new Model("mnist_resnet", image, new Dense("head/dense", classes).apply(x));
    }

    /** conv-BN-ReLU-conv-BN-ReLU, add the input, ReLU; {@code filters} must equal the input channels. */
    public static SymbolicTensor identityBlock(String name, SymbolicTensor x, int filters, int kernel) {
        SymbolicTensor y = x;
        for (int i = 1; i <= 2; i++) {
            y = new Conv2D(name + "/conv" + i, filters, kernel).padding(Padding.SAME).apply(y);
            y = new BatchNormalization(name + "/bn" + i).apply(y);
            y = Activation.relu(name + "/relu" + i).apply(y);
        }
        SymbolicTensor sum = new Add(name + "/add").apply(y, x);
        return Activation.relu(name + "/relu").apply(sum);
    }
}
