package dev.convkit.models;

import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.layers.Padding;
import dev.convkit.tensor.Shape;

/**
 * VGG16 (Simonyan and Zisserman 2014, configuration D) as keras.applications with its top, for any (C, H, W)
 * input of at least 32x32 and any class count: five blocks of 3x3 'same' convs with ReLU (64, 64 | 128, 128 |
 * 256 x3 | 512 x3 | 512 x3), each block ending in a 2x2/2 max-pool; Flatten (NHWC order); Dense 4096 ReLU,
 * Dense 4096 ReLU, Dense(classes) logits. No BN, no dropout; glorot_uniform kernels, zero biases. At 32x32 the
 * flattened features are 512 (34,006,948 parameters for 100 classes); at 224x224 they are 25,088.
 * Layer names follow Keras: {@code block3/conv2}, {@code block3/pool}, {@code flatten}, {@code fc1}, {@code fc2},
 * {@code predictions}.
 */
public final class Vgg16 {
    private static final int[][] BLOCKS = {{64, 64}, {128, 128}, {256, 256, 256}, {512, 512, 512}, {512, 512, 512}};

    private Vgg16() {}

    public static Model build(Shape input, int classes) {
        ZooInputs.requireAtLeast("vgg16", input, 32);
        SymbolicTensor image = ZooInputs.image(input);
        SymbolicTensor x = image;
        for (int b = 1; b <= BLOCKS.length; b++) x = block("block" + b, x, BLOCKS[b - 1]);
        x = new Flatten("flatten").apply(x);
        x = new Dense("fc1", 4096).activation("relu").apply(x);
        x = new Dense("fc2", 4096).activation("relu").apply(x);
        return new Model("vgg16", image, new Dense("predictions", classes).apply(x));
    }

    /** Convs 3x3 'same' + ReLU with the given filter counts, then a 2x2/2 max-pool. */
    public static SymbolicTensor block(String name, SymbolicTensor x, int... filters) {
        for (int i = 0; i < filters.length; i++) {
            x = new Conv2D(name + "/conv" + (i + 1), filters[i], 3).padding(Padding.SAME).activation("relu").apply(x);
        }
        return new MaxPooling2D(name + "/pool", 2).apply(x);
    }
}
