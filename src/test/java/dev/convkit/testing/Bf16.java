package dev.convkit.testing;

/**
 * bfloat16 rounding on the host, for test inputs: values representable in bf16 go through the engines' f32 ↔ bf16
 * conversions unchanged, so the float64 reference and a bf16 kernel see the same numbers.
 */
public final class Bf16 {
    private Bf16() {}

    /** {@code v} rounded to the nearest bf16 (ties to even), as f32 → bf16 conversion does. */
    public static double round(double v) {
        int bits = Float.floatToRawIntBits((float) v);
        if (Float.isNaN((float) v)) return v;
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return Float.intBitsToFloat(rounded & 0xFFFF0000);
    }

    /** Every value rounded in place; returns {@code a}. */
    public static double[] round(double[] a) {
        for (int i = 0; i < a.length; i++) a[i] = round(a[i]);
        return a;
    }
}
