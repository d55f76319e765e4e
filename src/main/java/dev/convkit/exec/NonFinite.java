package dev.convkit.exec;

import dev.convkit.tensor.DType;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The first non-finite value of a training step, as {@link CompiledModel#firstNonFinite} finds it: either a
 * trainable parameter that was already non-finite before the step ({@code instr} -1, {@code op} null), or the output
 * {@code value} of instruction {@code instr} (the op {@code op}, emitted for layer {@code origin}) that was the first
 * to hold a NaN or an infinity. {@code elements} is the logical element count of that value; {@code nonFiniteInputs}
 * names the op's inputs that were already non-finite when it ran (empty: the op itself overflowed or divided by zero).
 */
public record NonFinite(int instr, String op, String value, String origin, DType dtype, long nan, long positiveInf,
                        long negativeInf, long elements, List<String> nonFiniteInputs) {
    public NonFinite {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(dtype, "dtype");
        nonFiniteInputs = List.copyOf(nonFiniteInputs);
    }

    static NonFinite parameter(String name, NonFiniteCount c, long elements) {
        return new NonFinite(-1, null, name, null, DType.F32, c.nan(), c.positiveInf(), c.negativeInf(), elements, List.of());
    }

    /** True when a trainable parameter was non-finite before the step ran. */
    public boolean isParameter() { return op == null; }

    /** True when every input of the op was finite: the op itself produced the first NaN or infinity. */
    public boolean inputsFinite() { return nonFiniteInputs.isEmpty(); }

    /** Elements that are +Inf or -Inf. */
    public long infinite() { return positiveInf + negativeInf; }

    /**
     * One sentence for messages, e.g. "The first op whose output is not finite: #123 conv2d_bwd_data →
     * stage2/block1/conv1/dx (bf16, layer stage2/block1/conv1): 12 NaN, 0 Inf of 32768; its inputs were finite."
     */
    public String describe() {
        String counts = String.format(Locale.ROOT, "%d NaN, %d Inf of %d", nan, infinite(), elements);
        if (isParameter()) {
            return "The parameter " + value + " (" + dtype.lower() + ") was not finite before the step: " + counts + ".";
        }
        String where = origin == null ? dtype.lower() : dtype.lower() + ", layer " + origin;
        String inputs = inputsFinite() ? "its inputs were finite"
                : "its input" + (nonFiniteInputs.size() == 1 ? " " : "s ") + String.join(", ", nonFiniteInputs)
                        + (nonFiniteInputs.size() == 1 ? " was" : " were") + " not finite";
        return "The first op whose output is not finite: #" + instr + " " + op + " → " + value + " (" + where + "): "
                + counts + "; " + inputs + ".";
    }
}
