package dev.convkit.models;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Input;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.tensor.Shape;

/** Model inputs of the zoo: one (C, H, W) image named "image" unless a model says otherwise. */
final class ZooInputs {
    private ZooInputs() {}

    static SymbolicTensor image(Shape chw) { return image("image", chw); }

    static SymbolicTensor image(String name, Shape chw) {
        if (chw.rank() != 3) throw new GraphException("input '" + name + "' must be an image (C, H, W), got " + chw);
        return Input.of(name, chw.dims());
    }

    /** Fails unless the image is at least {@code min}x{@code min} (the model's down-sampling needs it). */
    static void requireAtLeast(String model, Shape chw, int min) {
        if (chw.rank() != 3 || chw.dim(1) < min || chw.dim(2) < min) {
            throw new GraphException(model + " needs a (C, H, W) input of at least " + min + "x" + min + ", got " + chw);
        }
    }
}
