package dev.convkit.models;

import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Dropout;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.layers.Padding;
import dev.convkit.tensor.Shape;

/**
 * AlexNet (Krizhevsky et al. 2012) as the usual single-tower Keras rewrite, for a (C, H, W) input of at least
 * 67x67 (default 3x227x227): conv 11x11/4 (96, valid)-ReLU, max-pool 3x3/2, conv 5x5 (256, same)-ReLU, max-pool
 * 3x3/2, conv 3x3 (384, same)-ReLU, conv 3x3 (384)-ReLU, conv 3x3 (256)-ReLU, max-pool 3x3/2, Flatten, Dense
 * 4096-ReLU, Dropout 0.5, Dense 4096-ReLU, Dropout 0.5, Dense(classes) logits.
 *
 * <p>Variant choices: one tower (no grouped convs), no local response normalisation (not in the op catalogue),
 * no BN; glorot_uniform kernels and zero biases (Keras defaults). 67x67 is the smallest input for which the
 * last pool still has a 3x3 window to reduce. At 227x227 with 1000 classes this is the often-quoted 62,378,344
 * parameters. Layer names: {@code conv1}, {@code pool1}, ..., {@code fc1}, {@code dropout1}, {@code fc2},
 * {@code dropout2}, {@code predictions}.
 */
public final class AlexNet {
    private AlexNet() {}

    public static Model build(Shape input, int classes) {
        ZooInputs.requireAtLeast("alexnet", input, 67);
        SymbolicTensor image = ZooInputs.image(input);
        SymbolicTensor x = new Conv2D("conv1", 96, 11).strides(4).activation("relu").apply(image);
        x = pool("pool1", x);
        x = conv("conv2", x, 256, 5);
        x = pool("pool2", x);
        x = conv("conv3", x, 384, 3);
        x = conv("conv4", x, 384, 3);
        x = conv("conv5", x, 256, 3);
        x = pool("pool5", x);
        x = new Flatten("flatten").apply(x);
        x = new Dense("fc1", 4096).activation("relu").apply(x);
        x = new Dropout("dropout1", 0.5f).apply(x);
        x = new Dense("fc2", 4096).activation("relu").apply(x);
        x = new Dropout("dropout2", 0.5f).apply(x);
        return new Model("alexnet", image, new Dense("predictions", classes).apply(x));
    }

    private static SymbolicTensor conv(String name, SymbolicTensor x, int filters, int kernel) {
        return new Conv2D(name, filters, kernel).padding(Padding.SAME).activation("relu").apply(x);
    }

    private static SymbolicTensor pool(String name, SymbolicTensor x) {
        return new MaxPooling2D(name, 3).strides(2).apply(x);
    }
}
