package dev.convkit.train;

/**
 * Loss and accuracies averaged over samples (a partial last batch weighs by its size, as Keras's Mean trackers do).
 *
 * @param loss         mean loss per sample; for training the total loss (cross-entropy plus L2 penalties, Keras's
 *                     reported "loss"), for evaluation the same total with the penalty of the current weights
 * @param accuracy     top-1 accuracy in [0, 1]
 * @param top5Accuracy top-5 accuracy in [0, 1] (1 when the model has 5 classes or fewer)
 * @param samples      how many samples were averaged
 */
public record Metrics(double loss, double accuracy, double top5Accuracy, long samples) {

    @Override public String toString() {
        return String.format(java.util.Locale.ROOT, "loss %.4f, accuracy %.4f, top-5 %.4f over %d samples", loss, accuracy, top5Accuracy, samples);
    }
}
