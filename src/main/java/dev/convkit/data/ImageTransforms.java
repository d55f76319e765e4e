package dev.convkit.data;

import java.util.SplittableRandom;

/**
 * The pixel operations behind {@link Augmentation}, on one image [C, H, W] stored at an offset in a float array.
 * Each reads {@code src} and writes every value of {@code dst}; the two must not overlap.
 */
final class ImageTransforms {
    private ImageTransforms() {}

    /** dst(c, y, x) = src(c, y, w-1-x). */
    static void flipHorizontal(float[] src, int srcOff, float[] dst, int dstOff, int c, int h, int w) {
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                int row = (ch * h + y) * w;
                for (int x = 0; x < w; x++) dst[dstOff + row + x] = src[srcOff + row + w - 1 - x];
            }
        }
    }

    /**
     * Translation by (dy, dx) pixels: dst(y, x) = src(y - dy, x - dx), bilinear between the four neighbours when the
     * shift is fractional; positions outside the image take the nearest edge value (coordinates are clamped), as
     * {@code scipy.ndimage} does with {@code mode='nearest'}.
     */
    static void shift(float[] src, int srcOff, float[] dst, int dstOff, int c, int h, int w, double dy, double dx) {
        int[] y0 = new int[h], y1 = new int[h], x0 = new int[w], x1 = new int[w];
        float[] fy = new float[h], fx = new float[w];
        taps(h, dy, y0, y1, fy);
        taps(w, dx, x0, x1, fx);
        for (int ch = 0; ch < c; ch++) {
            int plane = srcOff + ch * h * w;
            int out = dstOff + ch * h * w;
            for (int y = 0; y < h; y++) {
                int r0 = plane + y0[y] * w, r1 = plane + y1[y] * w;
                float wy = fy[y];
                for (int x = 0; x < w; x++) {
                    float top = src[r0 + x0[x]] + fx[x] * (src[r0 + x1[x]] - src[r0 + x0[x]]);
                    float bottom = src[r1 + x0[x]] + fx[x] * (src[r1 + x1[x]] - src[r1 + x0[x]]);
                    dst[out + y * w + x] = top + wy * (bottom - top);
                }
            }
        }
    }

    /** For each output index i along an axis of length n: clamped source neighbours and the weight of the upper one. */
    private static void taps(int n, double shift, int[] lo, int[] hi, float[] frac) {
        for (int i = 0; i < n; i++) {
            double s = i - shift;
            double f = Math.floor(s);
            lo[i] = clamp((int) f, n);
            hi[i] = clamp((int) f + 1, n);
            frac[i] = (float) (s - f);
        }
    }

    private static int clamp(int i, int n) { return i < 0 ? 0 : i >= n ? n - 1 : i; }

    /**
     * Pad by {@code pad} zeros on every side, then crop the H x W window whose top-left corner is (oy, ox) in the
     * padded image, 0 <= oy, ox <= 2*pad: dst(y, x) = src(y + oy - pad, x + ox - pad), or 0 outside the source.
     */
    static void padCrop(float[] src, int srcOff, float[] dst, int dstOff, int c, int h, int w, int pad, int oy, int ox) {
        for (int ch = 0; ch < c; ch++) {
            int plane = ch * h * w;
            for (int y = 0; y < h; y++) {
                int sy = y + oy - pad;
                for (int x = 0; x < w; x++) {
                    int sx = x + ox - pad;
                    dst[dstOff + plane + y * w + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? src[srcOff + plane + sy * w + sx] : 0f;
                }
            }
        }
    }

    /**
     * Cutout, in place: zeroes rows [cy − side/2, cy − side/2 + side) x columns [cx − side/2, cx − side/2 + side) of
     * every channel, clipped to the image.
     */
    static void cutout(float[] image, int off, int c, int h, int w, int side, int cy, int cx) {
        int y0 = Math.max(0, cy - side / 2), y1 = Math.min(h, cy - side / 2 + side);
        int x0 = Math.max(0, cx - side / 2), x1 = Math.min(w, cx - side / 2 + side);
        if (x0 >= x1) return;
        for (int ch = 0; ch < c; ch++) {
            for (int y = y0; y < y1; y++) {
                int row = off + (ch * h + y) * w;
                java.util.Arrays.fill(image, row + x0, row + x1, 0f);
            }
        }
    }

    /**
     * Applies {@code a} to the image at {@code off} of {@code image}, in place, drawing from {@code rng} in a fixed
     * order (shift dy, shift dx, crop oy, crop ox, flip coin, cutout cy, cutout cx; only the enabled ones). {@code scratch} holds at least
     * one image.
     */
    static void augment(Augmentation a, SplittableRandom rng, float[] image, int off, float[] scratch, int c, int h, int w) {
        int size = c * h * w;
        if (a.heightShift() > 0 || a.widthShift() > 0) {
            double dy = a.heightShift() > 0 ? (2 * rng.nextDouble() - 1) * a.heightShift() * h : 0;
            double dx = a.widthShift() > 0 ? (2 * rng.nextDouble() - 1) * a.widthShift() * w : 0;
            shift(image, off, scratch, 0, c, h, w, dy, dx);
            System.arraycopy(scratch, 0, image, off, size);
        }
        if (a.padCrop() > 0) {
            int oy = rng.nextInt(2 * a.padCrop() + 1);
            int ox = rng.nextInt(2 * a.padCrop() + 1);
            padCrop(image, off, scratch, 0, c, h, w, a.padCrop(), oy, ox);
            System.arraycopy(scratch, 0, image, off, size);
        }
        if (a.horizontalFlip() && rng.nextBoolean()) {
            flipHorizontal(image, off, scratch, 0, c, h, w);
            System.arraycopy(scratch, 0, image, off, size);
        }
        if (a.cutout() > 0) {
            int cy = rng.nextInt(h);
            int cx = rng.nextInt(w);
            cutout(image, off, c, h, w, a.cutout(), cy, cx);
        }
    }
}
