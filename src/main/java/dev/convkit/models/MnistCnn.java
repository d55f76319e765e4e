package dev.convkit.models;

import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Dropout;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.tensor.Shape;

/**
 * The Keras MNIST CNN of the reference: conv3x3(64)-ReLU, max-pool 2, conv3x3(64)-ReLU, max-pool 2,
 * conv3x3(64)-ReLU, Flatten, Dropout 0.3, Dense(classes) logits. Valid padding, glorot_uniform, biases. On 28x28
 * the feature maps are 26 → 13 → 11 → 5 → 3 and Flatten gives 576 (80,266 parameters for 10 classes).
 * Layer names: {@code conv1}, {@code pool1}, {@code conv2}, {@code pool2}, {@code conv3}, {@code flatten},
 * {@code dropout}, {@code dense}.
 */
public final class MnistCnn {
    private MnistCnn() {}

    public static Model build(Shape input, int classes) {
        SymbolicTensor image = ZooInputs.image(input);
        SymbolicTensor x = new Conv2D("conv1", 64, 3).activation("relu").apply(image);
        x = new MaxPooling2D("pool1", 2).apply(x);
        x = new Conv2D("conv2", 64, 3).activation("relu").apply(x);
        x = new MaxPooling2D("pool2", 2).apply(x);
        x = new Conv2D("conv3", 64, 3).activation("relu").apply(x);
        x = new Flatten("flatten").apply(x);
        x = new Dropout("dropout", 0.3f).apply(x);
        return new Model("mnist_cnn", image, new Dense("dense", classes).apply(x));
    }
}
