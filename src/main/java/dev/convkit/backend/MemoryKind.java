package dev.convkit.backend;

/** What an arena holds. Each kind gets its own arena so sizes can be planned and reported separately. */
public enum MemoryKind {
    /** Trainable weights and batch-norm statistics. */
    PARAMS,
    /** Parameter gradients, one slot per parameter. */
    GRADS,
    /** Optimizer moments (velocity, m, v, mean square). */
    OPTIMIZER_STATE,
    /** Activations and activation gradients, reused by liveness. */
    ACTIVATIONS,
    /** Kept by a forward kernel for its backward kernel (oneDNN workspace, max-pool indices). */
    SAVED,
    /** Temporary memory of one kernel call (cuDNN workspace, oneDNN scratchpad), shared by all kernels. */
    SCRATCH,
    /** Program inputs, outputs and small host-visible values (labels, loss, learning rate). */
    IO
}
