package dev.convkit.tensor;

/**
 * Physical arrangement of a tensor's elements. Program inputs and outputs, checkpoints and host transfers are
 * always {@link #CANONICAL}; an engine may keep activations in a layout of its own between consecutive ops
 * (oneDNN's blocked formats, NHWC for tensor cores) and inserts a reorder where a consumer needs another.
 */
public enum Layout {
    /** Row-major over the logical shape: NCHW for 4-D, NC for 2-D, plain vectors otherwise. */
    CANONICAL,
    /** Chosen by the engine (e.g. oneDNN nChw8c); only that engine can read it. Size may exceed the logical one. */
    ENGINE
}
