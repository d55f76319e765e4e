package dev.convkit.ops;

import java.util.List;

/**
 * An op defined by its decomposition into other ops of the catalogue. The decomposition is its meaning: the
 * program builder emits it for engines without a dedicated kernel, the reference evaluates it, and conformance
 * checks every dedicated kernel against it. An engine claims a composite through {@code Backend.fuses}; it then
 * receives the composite itself (and its gradient ops, when they are composites too).
 *
 * <p>The family is open (non-sealed), unlike the primitives: a new composite is one record implementing this
 * interface, listed nowhere else, because nothing needs to handle it. Every visitor reaches it through
 * {@link OpVisitor#decomposed}; an engine with a dedicated kernel looks it up by record class there (its table of
 * composite kernels, which also answers {@code Backend.fuses}). Exhaustiveness stays checked by the compiler for the
 * primitive ops, the only ones every engine must implement.
 *
 * <p>A decomposition reads this op's inputs in order, returns values for every output in order, and updates the
 * in-place inputs exactly as the composite declares ({@link #inPlaceInputs()}) — by passing them on to the ops that
 * update them.
 */
public non-sealed interface Composite extends Op {

    /** Emits the decomposition of this op applied to {@code inputs}; returns its outputs. */
    List<Operand> decompose(OpEmitter e, List<Operand> inputs);

    /** Every composite reaches a visitor through {@link OpVisitor#decomposed}. */
    @Override default <R> R accept(OpVisitor<R> visitor) { return visitor.decomposed(this); }
}
