package dev.convkit.train.progress;

/** Short human durations for progress lines: "41s", "2m05s", "1h02m". */
public final class Durations {
    private Durations() {}

    /** Whole seconds, rounded; negative or non-finite input reads as "?" (an ETA that cannot be estimated yet). */
    public static String format(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "?";
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        return String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
