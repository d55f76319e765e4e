package dev.convkit.layers;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Layer;
import dev.convkit.graph.Lowering;
import dev.convkit.ops.DropoutOp;

/**
 * Keras {@code Dropout}: in training, zeroes each element with probability {@code rate} and scales the kept ones by
 * 1 / (1 − rate); in inference, the identity. The mask is a pure function of (seed, training step, element index)
 * ({@link dev.convkit.ops.DropoutOp#keep}), so runs are reproducible. Without an explicit {@link #seed(long)} the seed
 * is derived from the layer's structural name, so two dropout layers never share masks and the seed does not
 * depend on construction order.
 */
public final class Dropout extends Layer {
    private final float rate;
    private Long seed;

    public Dropout(String name, float rate) {
        super(name);
        if (!(rate >= 0f && rate < 1f)) throw new GraphException("layer " + this + ": dropout rate must be in [0, 1), got " + rate);
        this.rate = rate;
    }

    /** An unnamed layer; the model names it from its type and position. */
    public Dropout(float rate) { this(null, rate); }

    public Dropout seed(long s) {
        LayerArgs.requireUnapplied(this, "seed");
        seed = s;
        return this;
    }

    public float rate() { return rate; }

    /** The mask seed: the explicit one, else a hash of the structural name (known once the model is built). */
    public long seed() {
        if (seed != null) return seed;
        if (name() == null) throw new IllegalStateException("layer " + this + " has no name yet; build the Model first");
        long h = 0xcbf29ce484222325L;                           // FNV-1a 64 over the name's UTF-16 units
        for (int i = 0; i < name().length(); i++) h = (h ^ name().charAt(i)) * 0x100000001b3L;
        return h;
    }

    @Override public String type() { return "Dropout"; }

    @Override public void lower(Lowering ctx) {
        if (!ctx.training() || rate == 0f) {
            ctx.output(0, ctx.input(0));
            return;
        }
        ctx.output(0, ctx.emit(new DropoutOp(rate, seed()), ctx.input(0), ctx.stepCounter()).get(0));
    }
}
