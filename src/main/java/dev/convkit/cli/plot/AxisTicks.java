package dev.convkit.cli.plot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tick positions for one chart axis: a "nice" step of 1, 2 or 5 times a power of ten, chosen so that about
 * {@code target} ticks cover the data range, and axis bounds widened outward to whole steps.
 *
 * @param min   lower axis bound, a multiple of {@code step}, at most the smallest data value
 * @param max   upper axis bound, a multiple of {@code step}, at least the largest data value
 * @param step  distance between ticks, > 0
 * @param ticks tick values from {@code min} to {@code max} inclusive
 */
public record AxisTicks(double min, double max, double step, List<Double> ticks) {

    /**
     * Ticks covering [lo, hi]. A degenerate range (lo == hi, e.g. one epoch or a constant loss) is widened around
     * the value so the axis still has a span. With {@code integers} the step is at least 1 (epoch axes).
     */
    public static AxisTicks of(double lo, double hi, int target, boolean integers) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) throw new IllegalArgumentException("axis range [" + lo + ", " + hi + "] must be finite");
        if (lo > hi) throw new IllegalArgumentException("axis range [" + lo + ", " + hi + "] has lo > hi");
        if (target < 2) throw new IllegalArgumentException("need at least 2 target ticks, got " + target);
        if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
            double pad = integers ? 1 : Math.max(Math.abs(hi) * 0.05, 1e-3);
            lo -= pad;
            hi += pad;
        }
        double step = niceStep((hi - lo) / (target - 1));
        if (integers) step = Math.max(1, Math.rint(step));
        double min = Math.floor(lo / step + 1e-9) * step;
        double max = Math.ceil(hi / step - 1e-9) * step;
        List<Double> ticks = new ArrayList<>();
        long n = Math.round((max - min) / step);
        for (long i = 0; i <= n; i++) ticks.add(clean(min + i * step, step));
        return new AxisTicks(clean(min, step), clean(max, step), step, List.copyOf(ticks));
    }

    /** The smallest of 1, 2, 5 × 10^k that is ≥ {@code raw}. */
    static double niceStep(double raw) {
        double exp = Math.floor(Math.log10(raw));
        double base = Math.pow(10, exp);
        double f = raw / base * (1 - 1e-9);   // 1e-6 / 1e-6 may come out as 1.0000000000000002: still 1, not 2
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * base;
    }

    /** Removes accumulated float error (0.30000000000000004 → 0.3) by rounding to the step's precision. */
    private static double clean(double v, double step) {
        double scale = Math.pow(10, Math.max(0, decimals(step)) + 2);
        double r = Math.rint(v * scale) / scale;
        return r == 0 ? 0 : r; // no "-0"
    }

    /** Digits after the decimal point needed to print multiples of {@code step} exactly. */
    static int decimals(double step) {
        int d = 0;
        while (d < 10 && Math.abs(step * Math.pow(10, d) - Math.rint(step * Math.pow(10, d))) > 1e-6 * step * Math.pow(10, d)) d++;
        return d;
    }

    /**
     * A tick value as its label, with as many decimals as the step needs ("0.25", "10"), in scientific notation for
     * tiny steps ("1.0e-04") and for values of a million or more ("2.5e+21").
     */
    public String label(double v) {
        int d = decimals(step);
        if (d > 5) return String.format(Locale.ROOT, "%.1e", v);
        if (Math.abs(v) >= 1e6) return String.format(Locale.ROOT, "%.2e", v);
        return String.format(Locale.ROOT, "%." + d + "f", v);
    }
}
