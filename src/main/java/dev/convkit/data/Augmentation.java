package dev.convkit.data;

/**
 * Random training-time image transformations, drawn per image in this order: a shift, a pad-and-crop, a horizontal
 * flip, a cutout. Each is off at its zero value. Applied after normalisation (as the Keras CIFAR ResNet example does: the mean
 * image is subtracted from the arrays before {@code ImageDataGenerator} runs), so pad-and-crop's zero padding is the
 * mean value.
 *
 * @param widthShift     Keras {@code width_shift_range}: horizontal shift uniform in [-r, r) x width pixels,
 *                       fractional shifts interpolated bilinearly, uncovered pixels filled with the nearest edge value
 *                       ({@code fill_mode='nearest'}); 0 = off
 * @param heightShift    the same vertically ({@code height_shift_range})
 * @param horizontalFlip mirror left-right with probability 1/2
 * @param padCrop        pad each side with this many zeros, then crop a random window of the original size
 *                       (offsets uniform in 0..2*pad); 0 = off
 * @param cutout         Cutout (DeVries and Taylor 2017): zero a {@code cutout} x {@code cutout} square, in every
 *                       channel, centred on a pixel drawn uniformly over the image and clipped at its borders (so
 *                       near the edges less is cut); with normalisation before it, zero is the mean; 0 = off
 */
public record Augmentation(double widthShift, double heightShift, boolean horizontalFlip, int padCrop, int cutout) {

    public static final Augmentation NONE = new Augmentation(0, 0, false, 0, 0);

    /** Without cutout. */
    public Augmentation(double widthShift, double heightShift, boolean horizontalFlip, int padCrop) {
        this(widthShift, heightShift, horizontalFlip, padCrop, 0);
    }

    public Augmentation {
        if (!(widthShift >= 0 && widthShift < 1) || !(heightShift >= 0 && heightShift < 1)) {
            throw new IllegalArgumentException("shift ranges are fractions of the image size in [0, 1), got width "
                    + widthShift + ", height " + heightShift);
        }
        if (padCrop < 0) throw new IllegalArgumentException("padCrop must be >= 0, got " + padCrop);
        if (cutout < 0) throw new IllegalArgumentException("cutout must be >= 0 (the square's side in pixels, 0 = off), got " + cutout);
    }

    /** The same transformations with a {@code side} x {@code side} cutout (0: none). */
    public Augmentation withCutout(int side) { return new Augmentation(widthShift, heightShift, horizontalFlip, padCrop, side); }

    /** The Keras CIFAR-10 ResNet recipe: shifts up to {@code range} of the size with nearest fill, and horizontal flips. */
    public static Augmentation shiftAndFlip(double range) { return new Augmentation(range, range, true, 0); }

    /** The common CIFAR recipe of pad {@code pad} + random crop + horizontal flip. */
    public static Augmentation padCropAndFlip(int pad) { return new Augmentation(0, 0, true, pad); }

    /** What is drawn, for logs: e.g. {@code shift 0.1 x 0.1, horizontal flip, cutout 8}; {@code none} when off. */
    public String describe() {
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (widthShift > 0 || heightShift > 0) parts.add("shift " + widthShift + " x " + heightShift);
        if (padCrop > 0) parts.add("pad-and-crop " + padCrop);
        if (horizontalFlip) parts.add("horizontal flip");
        if (cutout > 0) parts.add("cutout " + cutout);
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    public boolean isNone() { return widthShift == 0 && heightShift == 0 && !horizontalFlip && padCrop == 0 && cutout == 0; }
}
