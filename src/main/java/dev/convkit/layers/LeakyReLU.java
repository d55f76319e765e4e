package dev.convkit.layers;

import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.ops.LeakyRelu;

/**
 * Keras {@code LeakyReLU}: {@code x > 0 ? x : negativeSlope·x} element-wise on any input (Keras default
 * negative_slope 0.3). No parameters; the output has the input's shape.
 */
public final class LeakyReLU extends Layer {
    /** Keras's default negative_slope. */
    public static final float DEFAULT_NEGATIVE_SLOPE = 0.3f;

    private final float negativeSlope;

    public LeakyReLU(String name, float negativeSlope) {
        super(name);
        if (!Float.isFinite(negativeSlope)) {
            throw new IllegalArgumentException("LeakyReLU '" + name + "': negative_slope must be finite, got " + negativeSlope);
        }
        this.negativeSlope = negativeSlope;
    }

    /** Keras's default slope 0.3. */
    public LeakyReLU(String name) { this(name, DEFAULT_NEGATIVE_SLOPE); }

    /** An unnamed layer with slope 0.3; the model names it from its type and position. */
    public LeakyReLU() { this(null, DEFAULT_NEGATIVE_SLOPE); }

    public float negativeSlope() { return negativeSlope; }

    @Override public String type() { return "LeakyReLU"; }

    @Override public void lower(Lowering ctx) {
        ctx.output(0, ctx.emit(new LeakyRelu(negativeSlope), ctx.input(0)).get(0));
    }
}
