package dev.convkit.cli.plot;

import java.awt.Color;

/**
 * One line of a chart: y over x, drawn in {@code color}, dashed or solid. NaN y values (a diverged loss, a missing
 * validation pass) break the line instead of being drawn.
 *
 * @param name   legend text, e.g. "train" or "validation"
 * @param x      x values (epochs), same length as {@code y}
 * @param y      y values
 */
public record Series(String name, double[] x, double[] y, Color color, boolean dashed) {
    public Series {
        if (x.length != y.length) throw new IllegalArgumentException("series '" + name + "' has " + x.length + " x values but " + y.length + " y values");
        x = x.clone();
        y = y.clone();
    }

    @Override public double[] x() { return x.clone(); }

    @Override public double[] y() { return y.clone(); }

    public int size() { return x.length; }

    /** Whether any point has a finite y (only those are drawn and scaled to). */
    public boolean hasFinitePoint() {
        for (int i = 0; i < y.length; i++) if (Double.isFinite(y[i]) && Double.isFinite(x[i])) return true;
        return false;
    }
}
