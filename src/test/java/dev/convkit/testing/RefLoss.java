package dev.convkit.testing;

/** Float64 reference of the losses: batch-mean softmax cross-entropy (dense or sparse labels) and the L2 penalty. */
final class RefLoss {
    private RefLoss() {}

    /**
     * Returns {loss (1,), probs [N, K]} with loss = −(1/N)·Σ_n Σ_k y[n,k]·log p[n,k]. Sparse labels are class
     * indices stored as exact integers; they stand for one-hot rows. log p is taken as (x − max) − log Σ exp(x − max)
     * so that a confident wrong class gives a large finite loss rather than −∞.
     */
    static double[][] softmaxCrossEntropy(boolean sparse, int batch, int classes, double[] logits, double[] labels) {
        double[] probs = new double[batch * classes];
        double loss = 0;
        for (int n = 0; n < batch; n++) {
            int from = n * classes;
            double[] p = RefElementwise.softmaxRow(logits, from, classes);
            System.arraycopy(p, 0, probs, from, classes);
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) max = Math.max(max, logits[from + k]);
            double sumExp = 0;
            for (int k = 0; k < classes; k++) sumExp += Math.exp(logits[from + k] - max);
            double logSum = Math.log(sumExp);
            double[] target = targetRow(sparse, n, classes, labels);
            for (int k = 0; k < classes; k++) {
                if (target[k] != 0) loss -= target[k] * (logits[from + k] - max - logSum);
            }
        }
        return new double[][] {{loss / batch}, probs};
    }

    /** diffLogits = diffLoss · (p − y) / N. */
    static double[] softmaxCrossEntropyBackward(boolean sparse, int batch, int classes, double[] probs,
                                                double[] labels, double diffLoss) {
        double[] dx = new double[batch * classes];
        for (int n = 0; n < batch; n++) {
            double[] target = targetRow(sparse, n, classes, labels);
            for (int k = 0; k < classes; k++) {
                int i = n * classes + k;
                dx[i] = diffLoss * (probs[i] - target[k]) / batch;
            }
        }
        return dx;
    }

    /** λ·Σ w². */
    static double l2(double lambda, double[] w) {
        double sum = 0;
        for (double v : w) sum += v * v;
        return lambda * sum;
    }

    /** 2·λ·diffPenalty·w. */
    static double[] l2Backward(double lambda, double[] w, double diffPenalty) {
        double[] dw = new double[w.length];
        for (int i = 0; i < w.length; i++) dw[i] = 2 * lambda * diffPenalty * w[i];
        return dw;
    }

    /** Row n of the targets: the label row itself, or the one-hot row of a sparse class index. */
    private static double[] targetRow(boolean sparse, int n, int classes, double[] labels) {
        double[] t = new double[classes];
        if (!sparse) {
            System.arraycopy(labels, n * classes, t, 0, classes);
            return t;
        }
        double label = labels[n];
        if (label != Math.rint(label) || label < 0 || label >= classes) {
            throw new IllegalArgumentException("sparse label " + label + " of row " + n
                    + " is not a class index in [0, " + classes + ")");
        }
        t[(int) label] = 1;
        return t;
    }
}
