package dev.convkit.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The numbers of one finished epoch, by Keras-like key: {@value #LOSS}, {@value #ACCURACY}, {@value #TOP5},
 * their {@code val_} versions when validation data was given, {@value #LR} (the rate of the epoch's last step) and
 * {@value #SECONDS} (wall time of the epoch including validation). Callbacks monitor these keys.
 */
public final class EpochLogs {
    public static final String LOSS = "loss", ACCURACY = "accuracy", TOP5 = "top5_accuracy";
    public static final String VAL_LOSS = "val_loss", VAL_ACCURACY = "val_accuracy", VAL_TOP5 = "val_top5_accuracy";
    public static final String LR = "lr", SECONDS = "seconds";

    private final int epoch;                       // 0-based
    private final Map<String, Double> values;      // insertion order: train, val, lr, seconds

    public EpochLogs(int epoch, Map<String, Double> values) {
        if (epoch < 0) throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
        this.epoch = epoch;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Logs from training metrics, optional validation metrics (null: none), the rate and the seconds taken. */
    public static EpochLogs of(int epoch, Metrics train, Metrics val, double lr, double seconds) {
        Map<String, Double> v = new LinkedHashMap<>();
        v.put(LOSS, train.loss());
        v.put(ACCURACY, train.accuracy());
        v.put(TOP5, train.top5Accuracy());
        if (val != null) {
            v.put(VAL_LOSS, val.loss());
            v.put(VAL_ACCURACY, val.accuracy());
            v.put(VAL_TOP5, val.top5Accuracy());
        }
        v.put(LR, lr);
        v.put(SECONDS, seconds);
        return new EpochLogs(epoch, v);
    }

    /** 0-based index of the epoch. */
    public int epoch() { return epoch; }

    public Map<String, Double> values() { return values; }

    public boolean has(String key) { return values.containsKey(key); }

    /** The value of {@code key}; a missing key is an error listing the keys there are. */
    public double get(String key) {
        Double v = values.get(key);
        if (v == null) throw new IllegalArgumentException("epoch " + (epoch + 1) + " has no metric '" + key + "'; it has " + values.keySet()
                + (key.startsWith("val_") ? " (no validation data was given)" : ""));
        return v;
    }

    /**
     * One Keras-like line: {@code Epoch 3/10 - 12.4s - loss: 0.4321 - accuracy: 0.8512 - top5_accuracy: 0.9931 -
     * val_loss: 0.5012 - val_accuracy: 0.8301 - val_top5_accuracy: 0.9902 - lr: 1.0000e-03}.
     */
    public String summary(int totalEpochs) {
        StringBuilder sb = new StringBuilder();
        sb.append("Epoch ").append(epoch + 1).append('/').append(totalEpochs);
        if (has(SECONDS)) sb.append(String.format(Locale.ROOT, " - %.1fs", values.get(SECONDS)));
        for (Map.Entry<String, Double> e : values.entrySet()) {
            if (e.getKey().equals(SECONDS)) continue;
            String fmt = e.getKey().equals(LR) ? " - %s: %.4e" : " - %s: %.4f";
            sb.append(String.format(Locale.ROOT, fmt, e.getKey(), e.getValue()));
        }
        return sb.toString();
    }

    @Override public String toString() { return "epoch " + (epoch + 1) + " " + values; }
}
