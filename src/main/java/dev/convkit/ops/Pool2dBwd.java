package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/**
 * Gradient of {@link Pool2d}: (src, dst, diffDst) → diffSrc. For max pooling the gradient goes to the first
 * maximum of each window in row-major order. Engines compile it with the forward kernel as a hint and may use
 * that kernel's saved memory instead of src/dst.
 */
public record Pool2dBwd(Pool2d.Kind kind, Window2d window) implements Op {

    @Override public <R> R accept(OpVisitor<R> v) { return v.visit(this); }

    @Override public String name() { return (kind == Pool2d.Kind.MAX ? "max_pool2d" : "avg_pool2d") + "_bwd"; }

    @Override public List<TensorSpec> outputs(List<TensorSpec> in) {
        Checks.arity(this, in, 3);
        Checks.sameShape(this, in, 1, 2);
        List<TensorSpec> fwd = new Pool2d(kind, window).outputs(List.of(in.get(0)));
        Checks.require(fwd.get(0).shape().equals(in.get(1).shape()), this, in, "dst must be the pooled src, "
                + fwd.get(0).shape());
        return List.of(in.get(0));
    }
}
