package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Inverted dropout with a reproducible mask. Inputs: src, counter (1,) holding the training step as an exact
 * integer in f32. Outputs: dst = src · mask and mask, where {@code mask[i] = keep ? 1 / (1 − rate) : 0}.
 * Whether element i is kept is {@link #keep(long, long, long, float)}: a pure function of (seed, counter, i), so
 * every engine draws the same mask and a resumed run draws the masks it would have drawn.
 * Backward: {@link Mul} of the gradient with the mask.
 */
public record DropoutOp(float rate, long seed) implements Op, Differentiable {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    public DropoutOp {
        if (!(rate >= 0f && rate < 1f)) throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
    }

    @Override public String name() { return "dropout"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 2);
        Checks.vector(this, in, 1, 1, "step counter");
        return List.of(in.get(0), in.get(0));
    }

    @Override public void backward(BackwardBuilder b) {
        Operand dy = b.gradOutput(0);
        if (dy != null && b.needsGrad(0)) b.gradInput(0, b.emit(new Mul(), dy, b.output(1)).get(0));
    }

    /** The kept elements' mask value 1 / (1 − rate), in f32. */
    public float keptScale() { return 1f / (1f - rate); }

    /**
     * The mask value of element {@code index} (flat canonical position) at step {@code counter}: {@link #keptScale()}
     * where {@link #keep} keeps it, else 0. The one definition of the mask: the cpu engine and the reference call it,
     * and conformance checks the CUDA kernel (native/kernels/dropout.cu) against it.
     */
    public float mask(long counter, long index) { return keep(seed, counter, index, rate) ? keptScale() : 0f; }

    /**
     * The keep rule, identical in every engine (native/kernels/dropout.cu mirrors it): SplitMix64's finaliser over
     * {@code seed + counter·0x9E3779B97F4A7C15 + index·0xD1B54A32D192ED03} (wrapping), top 24 bits as a uniform
     * u in [0, 1), keep when u ≥ rate.
     */
    public static boolean keep(long seed, long counter, long index, float rate) {
        long z = seed + counter * 0x9E3779B97F4A7C15L + index * 0xD1B54A32D192ED03L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        float u = (z >>> 40) * 0x1.0p-24f;
        return u >= rate;
    }
}
