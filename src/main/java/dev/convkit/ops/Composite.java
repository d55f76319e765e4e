package dev.convkit.ops;

import java.util.List;

/**
 * An op defined by its decomposition into other ops of the catalogue. The decomposition is its meaning: the
 * program builder emits it for engines without a dedicated kernel, the reference evaluates it, and conformance
 * checks every dedicated kernel against it. An engine claims a composite through {@code Backend.fuses}; it then
 * receives the composite itself (and its gradient ops, when they are composites too).
 *
 * <p>A decomposition reads this op's inputs in order, returns values for every output in order, and updates the
 * in-place inputs exactly as the composite declares ({@link #inPlaceInputs()}) — by passing them on to the ops that
 * update them.
 */
public sealed interface Composite extends Op permits BatchNormReluTrain, BatchNormReluInfer, BatchNormReluBwd,
        LeakyRelu, LeakyReluBwd {

    /** Emits the decomposition of this op applied to {@code inputs}; returns its outputs. */
    List<Operand> decompose(OpEmitter e, List<Operand> inputs);
}
