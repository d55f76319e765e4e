package dev.convkit.train.progress;

import java.util.Locale;
import java.util.Map;

/**
 * The one-line, Keras-like summary printed when an epoch ends:
 * {@code Epoch 3/20 - 41s - loss: 0.0412 - accuracy: 0.9871 - val_loss: 0.0398 - val_accuracy: 0.9880 - lr: 1.0e-03}.
 * Metrics print with four decimals in the order given; the learning rate, when known, in scientific notation.
 */
public final class EpochLine {
    private EpochLine() {}

    /**
     * @param epoch   1-based epoch number
     * @param epochs  total epochs of the run
     * @param seconds wall time of the epoch, validation included
     * @param metrics name → value in print order (loss, accuracy, val_loss, val_accuracy); NaN prints as "nan"
     * @param lr      learning rate used in the epoch, or NaN to leave it out
     */
    public static String format(int epoch, int epochs, double seconds, Map<String, Double> metrics, double lr) {
        StringBuilder sb = new StringBuilder();
        sb.append("Epoch ").append(epoch).append('/').append(epochs).append(" - ").append(Durations.format(seconds));
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            sb.append(" - ").append(e.getKey()).append(": ").append(metric(e.getValue()));
        }
        if (!Double.isNaN(lr)) sb.append(" - lr: ").append(String.format(Locale.ROOT, "%.1e", lr));
        return sb.toString();
    }

    /** Four decimals; from 1e5 on (where four decimals would print a long row of meaningless digits) scientific, e.g. {@code 1.9863e+21}. */
    static String metric(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return String.format(Locale.ROOT, Math.abs(v) >= 1e5 ? "%.4e" : "%.4f", v);
    }
}
