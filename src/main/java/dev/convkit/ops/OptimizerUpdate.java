package dev.convkit.ops;

import dev.convkit.tensor.TensorSpec;
import java.nio.FloatBuffer;
import java.util.List;

/**
 * An optimizer step over flat slices: inputs param (n,), grad (n,), the state slices ({@link #stateNames()}, each
 * (n,)), then hyper (2,) = [learning rate, step t ≥ 1]; param and state are updated in place, nothing is output.
 *
 * <p>{@link #update} is the one definition of the arithmetic, in f32 as the engines compute it: the cpu engine runs
 * it, the reference evaluates it, and conformance checks the CUDA kernel (native/kernels/optim.cu) against it.
 */
public sealed interface OptimizerUpdate extends Op permits SgdUpdate, AdamUpdate, RmsPropUpdate {

    /** Names of the state slices in input order (checkpoint keys are {@code name/param}). */
    List<String> stateNames();

    /**
     * Updates elements [from, to) in place. {@code slices} holds param, grad and the state slices (absolute
     * indexing); lr and t come from the hyper input.
     */
    void update(FloatBuffer[] slices, float lr, float t, int from, int to);

    @Override default List<TensorSpec> outputs(List<TensorSpec> in) {
        int slices = 2 + stateNames().size();
        Checks.arity(this, in, slices + 1);
        for (int i = 0; i < slices; i++) {
            Checks.require(in.get(i).rank() == 1, this, in, "input " + i + " must be a flat slice (n,)");
            Checks.sameShape(this, in, 0, i);
        }
        Checks.vector(this, in, slices, 2, "hyper [lr, t]");
        return List.of();
    }

    /** param and every state slice. */
    @Override default int[] inPlaceInputs() {
        int[] r = new int[1 + stateNames().size()];
        for (int i = 1; i < r.length; i++) r[i] = i + 1;
        return r;
    }
}
