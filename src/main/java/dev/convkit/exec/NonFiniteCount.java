package dev.convkit.exec;

import dev.convkit.backend.Backend;
import dev.convkit.backend.Buffer;
import dev.convkit.tensor.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;

/**
 * How many elements of one buffer are NaN, +Inf and -Inf. Counted from the raw bits, so the layout does not matter:
 * engine layouts pad with zeros, which are finite. A value is non-finite exactly when all its exponent bits are set
 * (f32 {@code 0x7f800000}, bf16 {@code 0x7f80}, f16 {@code 0x7c00}); a zero mantissa makes it an infinity.
 */
record NonFiniteCount(long nan, long positiveInf, long negativeInf) {
    static final NonFiniteCount NONE = new NonFiniteCount(0, 0, 0);

    long infinite() { return positiveInf + negativeInf; }

    long total() { return nan + infinite(); }

    boolean finite() { return total() == 0; }

    /**
     * Scans {@code b} as elements of {@code dtype}; the caller has synchronized the engine. Downloads go by whole
     * 4-byte words, so a 2-byte-element buffer of odd length is read up to the next word boundary: every buffer is a
     * slice of an arena whose slices start at multiples of {@link Backend#alignment()} (≥ 4) and whose sizes the
     * planners round up to that alignment, so that word lies inside the arena and past the buffer's last element.
     */
    static NonFiniteCount of(Backend backend, Buffer b, DType dtype) {
        long bytes = b.bytes();
        long words = (bytes + 3) / 4;
        if (words > Integer.MAX_VALUE / 4) throw new IllegalArgumentException("cannot scan " + b + ": " + bytes
                + " bytes is more than one host buffer holds");
        Buffer whole = b;
        if (words * 4 != bytes) {
            if (b.offset() + words * 4 > b.arena().bytes()) throw new IllegalStateException("cannot scan the last element of "
                    + b + ": its 4-byte word reaches past the end of the arena (" + b.arena().bytes() + " bytes)");
            whole = b.arena().slice(b.offset(), words * 4);
        }
        ByteBuffer raw = ByteBuffer.allocateDirect((int) (words * 4)).order(ByteOrder.nativeOrder());
        backend.download(whole, raw.asFloatBuffer());
        return switch (dtype) {
            case F32 -> ofF32(raw.asIntBuffer(), bytes / 4);
            case BF16 -> ofHalves(raw.asShortBuffer(), bytes / 2, 0x7f80, 0x007f);
            case F16 -> ofHalves(raw.asShortBuffer(), bytes / 2, 0x7c00, 0x03ff);
        };
    }

    private static NonFiniteCount ofF32(IntBuffer bits, long n) {
        long nan = 0, pos = 0, neg = 0;
        for (int i = 0; i < n; i++) {
            int x = bits.get(i);
            if ((x & 0x7f800000) != 0x7f800000) continue;
            if ((x & 0x007fffff) != 0) nan++;
            else if (x < 0) neg++;
            else pos++;
        }
        return new NonFiniteCount(nan, pos, neg);
    }

    private static NonFiniteCount ofHalves(ShortBuffer bits, long n, int exponent, int mantissa) {
        long nan = 0, pos = 0, neg = 0;
        for (int i = 0; i < n; i++) {
            int h = bits.get(i);
            if ((h & exponent) != exponent) continue;
            if ((h & mantissa) != 0) nan++;
            else if (h < 0) neg++;
            else pos++;
        }
        return new NonFiniteCount(nan, pos, neg);
    }
}
