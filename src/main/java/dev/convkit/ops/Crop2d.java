package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Removes rows/columns from each side: [N, C, H, W] → [N, C, H − top − bottom, W − left − right]. */
public record Crop2d(int top, int bottom, int left, int right) implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    public Crop2d {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) {
            throw new IllegalArgumentException("crop must be >= 0, got " + top + "/" + bottom + "/" + left + "/" + right);
        }
    }

    @Override public String name() { return "crop2d"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 1);
        Checks.rank(this, in, 0, 4, "src NCHW");
        TensorSpec x = in.get(0);
        int h = x.dim(2) - top - bottom, w = x.dim(3) - left - right;
        Checks.require(h >= 1 && w >= 1, this, in, "crop " + top + "/" + bottom + "/" + left + "/" + right
                + " leaves nothing of " + x.shape());
        return List.of(TensorSpec.of(x.dtype(), x.dim(0), x.dim(1), h, w));
    }
}
