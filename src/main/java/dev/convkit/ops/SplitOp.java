package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Splits axis 1 (channels) into consecutive parts of the given sizes: the backward of {@link Concat}. */
public record SplitOp(int[] sizes) implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    public SplitOp {
        sizes = sizes.clone();
        if (sizes.length < 1) throw new IllegalArgumentException("split needs at least one part");
    }

    @Override public int[] sizes() { return sizes.clone(); }

    @Override public String name() { return "split"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 1);
        TensorSpec x = in.get(0);
        Checks.require(x.rank() == 2 || x.rank() == 4, this, in, "src must be [N, C] or [N, C, H, W]");
        int total = Arrays.stream(sizes).sum();
        Checks.require(total == x.dim(1), this, in, "part sizes " + Arrays.toString(sizes) + " must add up to "
                + x.dim(1) + " channels");
        List<TensorSpec> out = new ArrayList<>();
        for (int s : sizes) out.add(x.withShape(x.shape().with(1, s)));
        return out;
    }

    @Override public boolean equals(Object o) { return o instanceof SplitOp s && Arrays.equals(sizes, s.sizes); }

    @Override public int hashCode() { return Arrays.hashCode(sizes); }

    @Override public String toString() { return "Split[sizes=" + Arrays.toString(sizes) + "]"; }
}
