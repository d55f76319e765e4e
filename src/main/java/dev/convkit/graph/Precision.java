package dev.convkit.graph;

import dev.convkit.tensor.DType;
import java.util.Locale;

/**
 * The precision policy of a compiled model, as Keras's {@code mixed_precision.Policy}: the element type its
 * activations are computed and stored in, while the variables (master weights), the gradients the optimizer sees,
 * optimizer state, batch-norm statistics and the loss stay f32 under every policy. Checkpoints are therefore the
 * same under every policy and interchangeable between them.
 *
 * <p>Names: the command line's {@code fp32} / {@code bf16}, and Keras's {@code float32} / {@code mixed_bfloat16}.
 */
public enum Precision {
    /** Everything in f32 (the default). */
    FP32("fp32", "float32", DType.F32),
    /**
     * Convolutions, dense layers, batch norm, pooling, activations, adds and concatenations in bf16, with their
     * outputs stored in bf16; see {@link MixedPrecision} for where the program converts.
     */
    MIXED_BF16("bf16", "mixed_bfloat16", DType.BF16);

    private final String cliName;
    private final String kerasName;
    private final DType compute;

    Precision(String cliName, String kerasName, DType compute) {
        this.cliName = cliName;
        this.kerasName = kerasName;
        this.compute = compute;
    }

    /** The command-line and recipe name: "fp32" or "bf16". */
    public String cliName() { return cliName; }

    /** Keras's policy name: "float32" or "mixed_bfloat16". */
    public String kerasName() { return kerasName; }

    /** Element type of activations under this policy. */
    public DType computeType() { return compute; }

    /** The variables' element type: f32 under every policy. */
    public DType variableType() { return DType.F32; }

    /**
     * The policy called {@code name} (either naming, any case).
     *
     * @throws IllegalArgumentException for fp16 (no engine runs it) and unknown names, naming the valid ones
     */
    public static Precision of(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Precision p : values()) if (p.cliName.equals(n) || p.kerasName.equals(n)) return p;
        String valid = "valid values: fp32 (float32), bf16 (mixed_bfloat16)";
        if (n.equals("fp16") || n.equals("float16") || n.equals("mixed_float16") || n.equals("half")) {
            throw new IllegalArgumentException("precision '" + name + "' is not available: the cpu engine has no fp16"
                    + " kernels (oneDNN runs fp16 training only on AVX512-FP16/AMX-FP16 parts, and ConvKit's cpu engine"
                    + " implements bf16) and the cuda engine runs f32 only; " + valid);
        }
        throw new IllegalArgumentException("unknown precision '" + name + "'; " + valid);
    }

    @Override public String toString() { return cliName; }
}
