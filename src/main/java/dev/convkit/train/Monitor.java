package dev.convkit.train;

import java.util.Locale;

/**
 * A monitored metric and its direction, with Keras's "auto" rule: a name containing "acc" is maximised, anything
 * else (losses) minimised. {@link #improves} is Keras's test with {@code min_delta}: for MIN,
 * {@code current < best − minDelta}; for MAX, {@code current > best + minDelta}.
 */
public record Monitor(String metric, Mode mode) {
    public enum Mode { MIN, MAX }

    public Monitor {
        if (metric == null || metric.isBlank()) throw new IllegalArgumentException("a monitored metric name is required, e.g. val_loss");
    }

    /** The metric with the direction Keras's mode "auto" chooses. */
    public static Monitor auto(String metric) {
        return new Monitor(metric, metric.toLowerCase(Locale.ROOT).contains("acc") ? Mode.MAX : Mode.MIN);
    }

    /** The value before any epoch: +∞ for MIN, −∞ for MAX. */
    public double worst() { return mode == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY; }

    public boolean improves(double current, double best, double minDelta) {
        return mode == Mode.MIN ? current < best - minDelta : current > best + minDelta;
    }

    /** The monitored value from an epoch's logs; a missing metric is an error naming the callback and the keys there are. */
    public double read(EpochLogs logs, String who) {
        if (!logs.has(metric)) throw new IllegalArgumentException(who + " monitors '" + metric + "', which epoch " + (logs.epoch() + 1)
                + " does not have; available: " + logs.values().keySet() + (metric.startsWith("val_") ? " (pass validation data to fit)" : ""));
        return logs.get(metric);
    }

    @Override public String toString() { return metric + " (" + mode.name().toLowerCase(Locale.ROOT) + ")"; }
}
