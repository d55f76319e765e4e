package dev.convkit.layers;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Layer;
import dev.convkit.ops.ActivationOp.Kind;
import java.util.Arrays;
import java.util.Locale;

/** Validation shared by the layers' constructors and fluent setters; every message names the layer. */
final class LayerArgs {
    private LayerArgs() {}

    /** Setters change the shape rule, so they are refused once the layer has been applied. */
    static void requireUnapplied(Layer layer, String setting) {
        if (layer.node() != null) {
            throw new GraphException("layer " + layer + ": cannot change " + setting
                    + " after the layer was applied; configure it before calling apply()");
        }
    }

    static int positive(Layer layer, String what, int value) {
        if (value < 1) throw new GraphException("layer " + layer + ": " + what + " must be >= 1, got " + value);
        return value;
    }

    static int nonNegative(Layer layer, String what, int value) {
        if (value < 0) throw new GraphException("layer " + layer + ": " + what + " must be >= 0, got " + value);
        return value;
    }

    static float l2(Layer layer, float value) {
        if (!(value >= 0f) || Float.isInfinite(value)) {
            throw new GraphException("layer " + layer + ": l2 coefficient must be a finite value >= 0, got " + value);
        }
        return value;
    }

    /** Keras activation names: "relu", "relu6", "sigmoid", "tanh", "softmax" (case-insensitive). */
    static Kind activation(Layer layer, String name) {
        for (Kind k : Kind.values()) if (k.lower().equals(name.toLowerCase(Locale.ROOT))) return k;
        throw new GraphException("layer " + layer + ": unknown activation '" + name + "'; valid: "
                + Arrays.stream(Kind.values()).map(Kind::lower).toList());
    }
}
