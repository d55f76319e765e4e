package dev.convkit.models;

import dev.convkit.graph.GraphException;
import dev.convkit.tensor.Shape;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Overrides of a registered model's defaults: input shape (C, H, W), class count, and for the families that have
 * them, depth and growth rate. Immutable; unset values mean "the model's default".
 *
 * <pre>{@code ModelRegistry.create("resnet_v1", ModelConfig.defaults().withDepth(44).withClasses(100))}</pre>
 */
public final class ModelConfig {
    private static final ModelConfig DEFAULTS = new ModelConfig(null, 0, 0, 0);

    private final Shape input;      // null = default
    private final int classes;      // 0 = default
    private final int depth;        // 0 = default
    private final int growthRate;   // 0 = default

    private ModelConfig(Shape input, int classes, int depth, int growthRate) {
        this.input = input;
        this.classes = classes;
        this.depth = depth;
        this.growthRate = growthRate;
    }

    public static ModelConfig defaults() { return DEFAULTS; }

    /** The input shape without batch, e.g. {@code withInput(3, 64, 64)}; a two-input model uses it for both. */
    public ModelConfig withInput(int... chw) {
        Shape s;
        try {
            s = Shape.of(chw);
        } catch (IllegalArgumentException e) {
            throw new GraphException("model input shape: " + e.getMessage());
        }
        return new ModelConfig(s, classes, depth, growthRate);
    }

    public ModelConfig withClasses(int n) {
        if (n < 1) throw new GraphException("class count must be >= 1, got " + n);
        return new ModelConfig(input, n, depth, growthRate);
    }

    public ModelConfig withDepth(int d) {
        if (d < 1) throw new GraphException("depth must be >= 1, got " + d);
        return new ModelConfig(input, classes, d, growthRate);
    }

    public ModelConfig withGrowthRate(int k) {
        if (k < 1) throw new GraphException("growth rate must be >= 1, got " + k);
        return new ModelConfig(input, classes, depth, k);
    }

    public Optional<Shape> input() { return Optional.ofNullable(input); }

    public OptionalInt classes() { return classes == 0 ? OptionalInt.empty() : OptionalInt.of(classes); }

    public OptionalInt depth() { return depth == 0 ? OptionalInt.empty() : OptionalInt.of(depth); }

    public OptionalInt growthRate() { return growthRate == 0 ? OptionalInt.empty() : OptionalInt.of(growthRate); }

    @Override public String toString() {
        return "ModelConfig[input=" + (input == null ? "default" : input) + ", classes=" + (classes == 0 ? "default" : classes)
                + ", depth=" + (depth == 0 ? "default" : depth) + ", growthRate=" + (growthRate == 0 ? "default" : growthRate) + "]";
    }
}
