package dev.convkit.models;

import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Concatenate;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Dropout;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.layers.Padding;
import dev.convkit.tensor.Shape;
import java.util.List;

/**
 * The Y-Network of the reference (Keras functional-API example): two image inputs ("left_input", "right_input",
 * 1x28x28 for MNIST) through two branches of three [conv3x3 'same' ReLU, Dropout 0.4, max-pool 2] units with
 * 32/64/128 filters, the right branch using dilation 2; the branch outputs are concatenated on channels (256),
 * flattened, Dropout 0.4, Dense(classes) logits. Glorot_uniform, biases. On 28x28: 28 → 14 → 7 → 3, Flatten
 * gives 2,304 (208,394 parameters for 10 classes). Layer names: {@code left/conv1}, {@code left/dropout1},
 * {@code left/pool1}, ..., {@code right/conv3}, {@code concat}, {@code flatten}, {@code dropout}, {@code dense}.
 */
public final class YNetwork {
    private YNetwork() {}

    /** Both inputs take {@code input}'s shape. */
    public static Model build(Shape input, int classes) {
        SymbolicTensor left = ZooInputs.image("left_input", input);
        SymbolicTensor right = ZooInputs.image("right_input", input);
        SymbolicTensor x = new Concatenate("concat").apply(branch("left", left, 1), branch("right", right, 2));
        x = new Flatten("flatten").apply(x);
        x = new Dropout("dropout", 0.4f).apply(x);
        return new Model("y_network", List.of(left, right), List.of(new Dense("dense", classes).apply(x)));
    }

    /** Three [conv 'same' ReLU (32, 64, 128 filters), Dropout 0.4, max-pool 2] units with the given dilation. */
    public static SymbolicTensor branch(String name, SymbolicTensor x, int dilation) {
        int filters = 32;
        for (int i = 1; i <= 3; i++) {
            x = new Conv2D(name + "/conv" + i, filters, 3).padding(Padding.SAME).dilation(dilation).activation("relu").apply(x);
            x = new Dropout(name + "/dropout" + i, 0.4f).apply(x);
            x = new MaxPooling2D(name + "/pool" + i, 2).apply(x);
            filters *= 2;
        }
        return x;
    }
}
