package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.util.List;

/** Shared shape rule of the optimizer updates: n flat slices of one length plus hyper (2,) = [learning rate, step t ≥ 1]. */
final class Updates {
    private Updates() {}

    static List<TensorSpec> check(Op op, List<TensorSpec> in, int slices) {
        Checks.arity(op, in, slices + 1);
        for (int i = 0; i < slices; i++) {
            Checks.require(in.get(i).rank() == 1, op, in, "input " + i + " must be a flat slice (n,)");
            Checks.sameShape(op, in, 0, i);
        }
        Checks.vector(op, in, slices, 2, "hyper [lr, t]");
        return List.of();
    }
}
