package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * The exponential moving average of the weights, one step over a flat slice. Inputs: average (n,), value (n,) (the
 * weights after optimizer step t), hyper (2,) = [lr, t] (the optimizer's, t ≥ 1; lr unused). In place:
 * {@code average = d·average + (1 − d)·value} with {@code d = min(momentum, (1 + t) / (10 + t))}.
 *
 * <p>{@code momentum} is Keras's {@code ema_momentum}; the cap (1 + t) / (10 + t) is TensorFlow's
 * {@code ExponentialMovingAverage(num_updates=t)}: the early average forgets the initial weights within tens of steps
 * instead of ~1 / (1 − momentum), and from t = (10·momentum − 1) / (1 − momentum) on (8,990 at 0.999) d is the
 * momentum itself. {@link #update} is the one definition of the arithmetic: the cpu engine runs it, the reference
 * evaluates it, and conformance checks the CUDA kernel (native/kernels/optim.cu) against it.
 */
public record EmaUpdate(float momentum) implements Op {

    public EmaUpdate {
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("ema_update: momentum must be in [0, 1), got " + momentum);
    }

    @Override public String name() { return "ema_update"; }

    /** The decay applied at step {@code t}, in f32 as every engine computes it. */
    public float decay(float t) { return Math.min(momentum, (float) ((1.0 + t) / (10.0 + t))); }

    /** Updates elements [from, to) of {@code average} in place (absolute indexing). */
    public void update(FloatBuffer average, FloatBuffer value, float t, int from, int to) {
        float d = decay(t), rest = 1 - d;
        for (int i = from; i < to; i++) average.put(i, d * average.get(i) + rest * value.get(i));
    }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 3);
        for (int i = 0; i < 2; i++) Checks.require(in.get(i).rank() == 1, this, in, "input " + i + " must be a flat slice (n,)");
        Checks.sameShape(this, in, 0, 1);
        Checks.vector(this, in, 2, 2, "hyper [lr, t]");
        return List.of();
    }

    /** The average. */
    @Override public int[] inPlaceInputs() { return new int[] {0}; }

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }
}
