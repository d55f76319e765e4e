package dev.convkit.train;

import dev.convkit.graph.ProgramBuilder.Labels;

/**
 * Top-k hits of softmax probabilities against labels, as Keras's accuracy metrics count them.
 *
 * <p>{@code probs} is [N, K] row-major. Sparse labels are N class indices (exact integers in f32); one-hot labels
 * are [N, K] and the target is the row's argmax (Keras {@code categorical_accuracy}). Top-1: the first index of the
 * row maximum equals the target. Top-k: fewer than k classes have a probability strictly greater than the target's
 * (a tie at the boundary counts as a hit, as TensorFlow's {@code in_top_k}).
 */
public final class Accuracy {
    private Accuracy() {}

    /** Samples whose target is among the {@code k} most probable classes. */
    public static int hits(float[] probs, float[] labels, Labels kind, int batch, int k) {
        if (batch < 1 || probs.length % batch != 0) throw new IllegalArgumentException("probs of " + probs.length
                + " values are not [" + batch + ", K]");
        int classes = probs.length / batch;
        int expectLabels = kind == Labels.SPARSE ? batch : batch * classes;
        if (labels.length != expectLabels) throw new IllegalArgumentException((kind == Labels.SPARSE ? "sparse" : "one-hot")
                + " labels for a batch of " + batch + " with " + classes + " classes need " + expectLabels + " values, got " + labels.length);
        int hits = 0;
        for (int n = 0; n < batch; n++) {
            int target = target(labels, kind, n, classes);
            int row = n * classes;
            if (k == 1) {
                if (argmax(probs, row, classes) == target) hits++;
            } else {
                float p = probs[row + target];
                int greater = 0;
                for (int c = 0; c < classes; c++) if (probs[row + c] > p) greater++;
                if (greater < k) hits++;
            }
        }
        return hits;
    }

    /** The class index of sample n. */
    static int target(float[] labels, Labels kind, int n, int classes) {
        if (kind == Labels.ONE_HOT) return argmax(labels, n * classes, classes);
        float l = labels[n];
        int t = (int) l;
        if (t != l || t < 0 || t >= classes) throw new IllegalArgumentException("sparse label " + l + " of sample " + n
                + " is not a class index in 0.." + (classes - 1));
        return t;
    }

    /** First index of the maximum of {@code a[from .. from+len)}. NaN never wins. */
    static int argmax(float[] a, int from, int len) {
        int best = 0;
        float max = a[from];
        for (int i = 1; i < len; i++) {
            float v = a[from + i];
            if (v > max || (Float.isNaN(max) && !Float.isNaN(v))) { max = v; best = i; }
        }
        return best;
    }
}
