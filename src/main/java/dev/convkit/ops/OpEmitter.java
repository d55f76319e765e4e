package dev.convkit.ops;

import java.util.List;

/** Appends ops to whatever is being built (a program, a backward program, a reference evaluation). */
public interface OpEmitter {
    /** Appends {@code op} applied to {@code inputs} and returns its outputs, in the op's output order. */
    List<Operand> emit(Op op, Operand... inputs);
}
