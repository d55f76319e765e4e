package dev.convkit.train;

import java.util.Locale;

/**
 * Where an epoch is after a batch, for progress bars: running averages over the epoch so far and throughput.
 *
 * @param epoch           0-based epoch
 * @param totalEpochs     epochs the run will do (its last epoch is totalEpochs − 1)
 * @param step            1-based count of batches finished in this epoch
 * @param stepsPerEpoch   batches in this epoch
 * @param samples         samples trained on so far in this epoch
 * @param loss            running mean loss over those samples
 * @param accuracy        running top-1 accuracy
 * @param top5Accuracy    running top-5 accuracy
 * @param lr              the rate the last step used
 * @param imagesPerSecond samples per second of wall time since the epoch began
 * @param etaSeconds      estimated seconds left in this epoch's training part, from the mean step time so far
 */
public record BatchProgress(int epoch, int totalEpochs, int step, int stepsPerEpoch, long samples, double loss,
                            double accuracy, double top5Accuracy, double lr, double imagesPerSecond, double etaSeconds) {

    /** e.g. {@code 120/469 - loss: 0.4312 - accuracy: 0.8710 - 2510 img/s - ETA 0:07}. */
    public String describe() {
        long eta = Math.round(etaSeconds);
        String etaText = eta >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", eta / 3600, eta / 60 % 60, eta % 60)
                : String.format(Locale.ROOT, "%d:%02d", eta / 60, eta % 60);
        return String.format(Locale.ROOT, "%d/%d - loss: %.4f - accuracy: %.4f - %.0f img/s - ETA %s",
                step, stepsPerEpoch, loss, accuracy, imagesPerSecond, etaText);
    }
}
