package dev.convkit.data;

import dev.convkit.tensor.Shape;

/**
 * One mini-batch, ready to upload.
 *
 * @param epoch      the epoch it belongs to
 * @param index      its position in the epoch, 0-based
 * @param shape      (size, C, H, W) of {@code images}
 * @param images     [size, C, H, W] row-major, normalised and augmented
 * @param labels     [size] class indices stored as exact integers in f32 (the sparse softmax cross-entropy input)
 * @param oneHot     [size, numClasses] one-hot rows, or null when the pipeline was not asked for them
 * @param sourceRows [size] the data set row each image came from (after shuffling)
 */
public record Batch(int epoch, int index, Shape shape, float[] images, float[] labels, float[] oneHot, int[] sourceRows) {

    /** Number of images in this batch (the last one of an epoch may be smaller). */
    public int size() { return shape.dim(0); }
}
