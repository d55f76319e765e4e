package dev.convkit.graph;

import dev.convkit.ops.Op;
import java.util.List;

/**
 * One op of a program applied to values. {@code forward} is, for an op emitted by a gradient rule, the forward
 * instruction it differentiates (engines compile the backward kernel with the forward kernel as hint); else null.
 */
public record Instr(int index, Op op, List<Value> inputs, List<Value> outputs, Instr forward, String origin) {
    @Override public String toString() {
        return index + ": " + outputs + " = " + op.name() + inputs + (origin == null ? "" : "  # " + origin);
    }
}
