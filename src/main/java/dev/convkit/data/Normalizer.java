package dev.convkit.data;

/**
 * Input normalisation with statistics taken from the training set and applied unchanged to every split:
 * {@code x' = (x - offset[i]) * scale[i]} per value i of an image [C, H, W].
 *
 * <ul>
 *   <li>{@link #pixelMean}: Keras' {@code subtract_pixel_mean}; the mean image over the training set is subtracted
 *       (scale 1);</li>
 *   <li>{@link #perChannel}: per-channel mean and standard deviation over all training pixels, {@code (x - mean_c) / std_c};</li>
 *   <li>{@link #none}: identity (the [0, 1] scaling happens when the data set is loaded).</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class Normalizer {
    private final String kind;
    private final float[] offset; // [C*H*W]; null for none
    private final float[] scale;  // [C*H*W]; null for none

    private Normalizer(String kind, float[] offset, float[] scale) {
        this.kind = kind;
        this.offset = offset;
        this.scale = scale;
    }

    public static Normalizer none() { return new Normalizer("none", null, null); }

    /** The mean image of {@code train}, subtracted from every image. */
    public static Normalizer pixelMean(Dataset train) {
        int per = train.imageSize();
        double[] sum = new double[per];
        float[] x = train.images();
        for (int n = 0; n < train.size(); n++) {
            int base = n * per;
            for (int i = 0; i < per; i++) sum[i] += x[base + i];
        }
        float[] mean = new float[per];
        float[] ones = new float[per];
        for (int i = 0; i < per; i++) {
            mean[i] = (float) (sum[i] / train.size());
            ones[i] = 1f;
        }
        return new Normalizer("pixel_mean", mean, ones);
    }

    /** Per-channel mean and (population) standard deviation of {@code train}. */
    public static Normalizer perChannel(Dataset train) {
        int c = train.channels();
        int plane = train.height() * train.width();
        double[] sum = new double[c];
        double[] sumSq = new double[c];
        float[] x = train.images();
        for (int n = 0; n < train.size(); n++) {
            for (int ch = 0; ch < c; ch++) {
                int base = (n * c + ch) * plane;
                double s = 0, s2 = 0;
                for (int i = 0; i < plane; i++) {
                    double v = x[base + i];
                    s += v;
                    s2 += v * v;
                }
                sum[ch] += s;
                sumSq[ch] += s2;
            }
        }
        double count = (double) train.size() * plane;
        float[] offset = new float[c * plane];
        float[] scale = new float[c * plane];
        for (int ch = 0; ch < c; ch++) {
            double mean = sum[ch] / count;
            double std = Math.sqrt(Math.max(0, sumSq[ch] / count - mean * mean));
            if (std < 1e-12) {
                throw new IllegalArgumentException("channel " + ch + " of " + train + " is constant (std " + std + "); it cannot be normalised");
            }
            java.util.Arrays.fill(offset, ch * plane, (ch + 1) * plane, (float) mean);
            java.util.Arrays.fill(scale, ch * plane, (ch + 1) * plane, (float) (1 / std));
        }
        return new Normalizer("per_channel", offset, scale);
    }

    /** Normalises {@code length} values of {@code images} starting at {@code off} (one image), in place. */
    public void apply(float[] images, int off, int length) {
        if (offset == null) return;
        if (length != offset.length) {
            throw new IllegalArgumentException("normaliser fitted on images of " + offset.length + " values, applied to " + length);
        }
        for (int i = 0; i < length; i++) images[off + i] = (images[off + i] - offset[i]) * scale[i];
    }

    /** The value subtracted at each position [C*H*W], or null for {@link #none}. A copy. */
    public float[] offset() { return offset == null ? null : offset.clone(); }

    /** The factor applied after subtracting, per position, or null for {@link #none}. A copy. */
    public float[] scale() { return scale == null ? null : scale.clone(); }

    /** "none", "pixel_mean" or "per_channel". */
    public String kind() { return kind; }

    @Override public String toString() { return "Normalizer[" + kind + "]"; }
}
