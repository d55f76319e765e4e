package dev.convkit.data;

import dev.convkit.tensor.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * One split of an image classification data set in memory.
 *
 * <p>Invariants: {@code images} is [N, C, H, W] row-major (canonical NCHW) with values in [0, 1] (uint8 / 255);
 * {@code labels} has N class indices in {@code 0..numClasses-1}; {@code classNames} has numClasses entries.
 * The arrays are shared, not copied: treat them as read-only (the input pipeline reads them from several threads).
 */
public final class Dataset {
    private final String name;
    private final Split split;
    private final float[] images;   // [N, C, H, W], 0..1
    private final int[] labels;     // [N]
    private final int channels;
    private final int height;
    private final int width;
    private final int numClasses;
    private final List<String> classNames;

    public Dataset(String name, Split split, float[] images, int[] labels, int channels, int height, int width,
                   int numClasses, List<String> classNames) {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image dimensions must be positive, got " + channels + " x " + height + " x " + width);
        }
        long perImage = (long) channels * height * width;
        if (images.length != labels.length * perImage) {
            throw new IllegalArgumentException(labels.length + " labels need " + labels.length * perImage + " pixel values of "
                    + channels + " x " + height + " x " + width + ", got " + images.length);
        }
        if (classNames.size() != numClasses) {
            throw new IllegalArgumentException(numClasses + " classes need as many names, got " + classNames.size());
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " is outside 0.." + (numClasses - 1));
            }
        }
        this.name = name;
        this.split = split;
        this.images = images;
        this.labels = labels;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.numClasses = numClasses;
        this.classNames = List.copyOf(classNames);
    }

    /** Builds a data set from uint8 pixels [N, C, H, W], scaling each to value / 255. */
    public static Dataset fromBytes(String name, Split split, byte[] pixels, int[] labels, int channels, int height, int width,
                                    int numClasses, List<String> classNames) {
        float[] images = new float[pixels.length];
        for (int i = 0; i < pixels.length; i++) images[i] = (pixels[i] & 0xff) / 255f;
        return new Dataset(name, split, images, labels, channels, height, width, numClasses, classNames);
    }

    /** Names "0", "1", ... for data sets whose classes have no other names. */
    public static List<String> numberedNames(int numClasses) {
        List<String> names = new ArrayList<>(numClasses);
        for (int i = 0; i < numClasses; i++) names.add(Integer.toString(i));
        return names;
    }

    /** The first {@code n} records (shares nothing with this one). */
    public Dataset head(int n) {
        if (n < 1 || n > size()) throw new IllegalArgumentException("head(" + n + ") of a data set with " + size() + " records");
        int per = imageSize();
        return new Dataset(name, split, java.util.Arrays.copyOf(images, n * per), java.util.Arrays.copyOf(labels, n),
                channels, height, width, numClasses, classNames);
    }

    public String name() { return name; }

    public Split split() { return split; }

    /** [N, C, H, W], values in [0, 1]; shared, read-only. */
    public float[] images() { return images; }

    /** [N] class indices; shared, read-only. */
    public int[] labels() { return labels; }

    /** N, the number of records. */
    public int size() { return labels.length; }

    public int channels() { return channels; }

    public int height() { return height; }

    public int width() { return width; }

    /** C x H x W: the values of one image. */
    public int imageSize() { return channels * height * width; }

    /** (C, H, W), the per-record input shape of a model. */
    public Shape imageShape() { return Shape.of(channels, height, width); }

    public int numClasses() { return numClasses; }

    public List<String> classNames() { return classNames; }

    /** Records per class, index = class. */
    public int[] classCounts() {
        int[] counts = new int[numClasses];
        for (int l : labels) counts[l]++;
        return counts;
    }

    @Override public String toString() {
        return name + "/" + split.lower() + ": " + size() + " x " + imageShape() + ", " + numClasses + " classes";
    }
}
