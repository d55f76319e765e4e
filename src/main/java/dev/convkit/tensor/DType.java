package dev.convkit.tensor;

/** Element types. Engines state which they support; f32 is the only one every engine runs today. */
public enum DType {
    F32(4),
    /** Named for the mixed-precision work to come; no engine accepts it yet. */
    F16(2),
    /** Named for the mixed-precision work to come; no engine accepts it yet. */
    BF16(2);

    private final int bytes;

    DType(int bytes) { this.bytes = bytes; }

    /** Bytes per element. */
    public int bytes() { return bytes; }

    public String lower() { return name().toLowerCase(java.util.Locale.ROOT); }
}
