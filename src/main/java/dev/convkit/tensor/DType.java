package dev.convkit.tensor;

/**
 * Element types. Every engine runs f32. BF16 (bfloat16: f32's sign and 8-bit exponent, 7 stored mantissa bits) holds
 * the activations of mixed-precision programs on engines that run it natively; F16 is named for engines to come.
 */
public enum DType {
    F32(4),
    /** IEEE half precision; no engine accepts it yet. */
    F16(2),
    /** bfloat16: the upper 16 bits of an f32 (range of f32, relative precision 2^-8). */
    BF16(2);

    private final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    /** Bytes per element. */
    public int bytes() { return bytes; }

    public String lower() { return name().toLowerCase(java.util.Locale.ROOT); }
}
