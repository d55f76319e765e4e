package dev.convkit.cli.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A line chart drawn with java.awt into an image: title, x and y axes with ticks and grid, one polyline per
 * {@link Series} (with point markers when there are few points) and a legend box. Works headless
 * ({@code -Djava.awt.headless=true}); needs no display, only a font, which every JDK with fontconfig finds.
 */
public final class LineChart {
    /** Where the legend box sits inside the plot area. */
    public enum LegendCorner { TOP_RIGHT, BOTTOM_RIGHT }

    private static final int LEFT = 84, RIGHT = 24, TOP = 52, BOTTOM = 64;   // margins around the plot area, px
    private static final int MARKER_LIMIT = 40;                              // draw point markers up to this many points

    private final String title, xLabel, yLabel;
    private final List<Series> series = new ArrayList<>();
    private LegendCorner legend = LegendCorner.TOP_RIGHT;
    private Double yFloor, yCeiling;

    public LineChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public LineChart add(Series s) { series.add(s); return this; }

    public LineChart legend(LegendCorner corner) { this.legend = corner; return this; }

    /** Keeps the y axis within [floor, ceiling] even when nice ticks would go past them (accuracy: [0, 1]). */
    public LineChart yBounds(double floor, double ceiling) { this.yFloor = floor; this.yCeiling = ceiling; return this; }

    /** Renders the chart; width and height in pixels (at least 320 × 240 so the labels fit). */
    public BufferedImage render(int width, int height) {
        if (width < 320 || height < 240) throw new IllegalArgumentException("chart size " + width + "x" + height + " is too small; need at least 320x240");
        AxisTicks xt = xTicks(), yt = yTicks();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            // The left margin grows with the widest y tick label, so large values are never cut off at the edge.
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            int widest = 0;
            for (double v : yt.ticks()) widest = Math.max(widest, g.getFontMetrics().stringWidth(yt.label(v)));
            int left = Math.max(LEFT, widest + 8 + 40);                // tick gap, then room for the rotated axis title
            Frame f = new Frame(left, TOP, width - left - RIGHT, height - TOP - BOTTOM, xt, yt);
            drawGridAndTicks(g, f);
            drawSeries(g, f);
            drawTitles(g, f, width, height);
            drawLegend(g, f);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Renders and writes a PNG; the folder must exist. */
    public void writePng(Path file, int width, int height) throws IOException {
        BufferedImage img = render(width, height);
        if (!ImageIO.write(img, "png", file.toFile())) throw new IOException("no PNG writer available in this JDK to write " + file);
    }

    /**
     * Pixel mapping of the plot area: data (x, y) → screen (px, py). The x range is the ticks' range widened by 2 %
     * on each side so the first and last epochs' markers do not sit on the frame.
     */
    private record Frame(int x0, int y0, int w, int h, AxisTicks xt, AxisTicks yt) {
        double px(double x) {
            double pad = 0.02 * (xt.max() - xt.min());
            return x0 + (x - xt.min() + pad) / (xt.max() - xt.min() + 2 * pad) * w;
        }

        double py(double y) { return y0 + h - (y - yt.min()) / (yt.max() - yt.min()) * h; }
    }

    private AxisTicks xTicks() {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            double[] x = s.x();
            for (double v : x) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        }
        if (lo > hi) { lo = 0; hi = 1; }
        return AxisTicks.of(lo, hi, 8, true);
    }

    private AxisTicks yTicks() {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            double[] y = s.y();
            for (double v : y) if (Double.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        }
        if (lo > hi) { lo = 0; hi = 1; }
        double pad = 0.02 * (hi - lo);   // keep extreme points off the frame line
        AxisTicks t = AxisTicks.of(lo - pad, hi + pad, 6, false);
        if (yFloor != null && yCeiling != null && (t.min() < yFloor || t.max() > yCeiling)) {
            List<Double> inside = new ArrayList<>();
            for (double v : t.ticks()) if (v >= yFloor - 1e-12 && v <= yCeiling + 1e-12) inside.add(v);
            double min = Math.max(t.min(), yFloor), max = Math.min(t.max(), yCeiling);
            if (max > min) t = new AxisTicks(min, max, t.step(), List.copyOf(inside));
        }
        return t;
    }

    private void drawGridAndTicks(Graphics2D g, Frame f) {
        Font tickFont = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        g.setFont(tickFont);
        FontMetrics fm = g.getFontMetrics();
        Color grid = new Color(0xE3E3E3), axis = new Color(0x333333);
        for (double v : f.yt().ticks()) {
            int py = (int) Math.round(f.py(v));
            g.setColor(grid);
            g.drawLine(f.x0(), py, f.x0() + f.w(), py);
            g.setColor(axis);
            g.drawLine(f.x0() - 5, py, f.x0(), py);
            String label = f.yt().label(v);
            g.drawString(label, f.x0() - 8 - fm.stringWidth(label), py + fm.getAscent() / 2 - 1);
        }
        for (double v : f.xt().ticks()) {
            int px = (int) Math.round(f.px(v));
            g.setColor(grid);
            g.drawLine(px, f.y0(), px, f.y0() + f.h());
            g.setColor(axis);
            g.drawLine(px, f.y0() + f.h(), px, f.y0() + f.h() + 5);
            String label = f.xt().label(v);
            g.drawString(label, px - fm.stringWidth(label) / 2, f.y0() + f.h() + 8 + fm.getAscent());
        }
        g.setColor(axis);
        g.setStroke(new BasicStroke(1.2f));
        g.drawRect(f.x0(), f.y0(), f.w(), f.h());
    }

    private void drawSeries(Graphics2D g, Frame f) {
        java.awt.Shape clip = g.getClip();
        g.clipRect(f.x0(), f.y0(), f.w() + 1, f.h() + 1);
        for (Series s : series) {
            double[] x = s.x(), y = s.y();
            g.setColor(s.color());
            g.setStroke(stroke(s));
            Path2D.Double path = new Path2D.Double();
            boolean penDown = false;
            for (int i = 0; i < s.size(); i++) {
                if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) { penDown = false; continue; }
                if (penDown) path.lineTo(f.px(x[i]), f.py(y[i]));
                else path.moveTo(f.px(x[i]), f.py(y[i]));
                penDown = true;
            }
            g.draw(path);
            if (s.size() <= MARKER_LIMIT) {
                g.setStroke(new BasicStroke(1.5f));
                for (int i = 0; i < s.size(); i++) {
                    if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) continue;
                    int px = (int) Math.round(f.px(x[i])), py = (int) Math.round(f.py(y[i]));
                    g.fillOval(px - 3, py - 3, 7, 7);
                }
            }
        }
        g.setClip(clip);
    }

    private static Stroke stroke(Series s) {
        return s.dashed()
                ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 5f}, 0f)
                : new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    }

    private void drawTitles(Graphics2D g, Frame f, int width, int height) {
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        FontMetrics fm = g.getFontMetrics();
        g.drawString(title, (width - fm.stringWidth(title)) / 2, TOP / 2 + fm.getAscent() / 2 - 2);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        fm = g.getFontMetrics();
        g.drawString(xLabel, f.x0() + (f.w() - fm.stringWidth(xLabel)) / 2, height - 14);
        AffineTransform saved = g.getTransform();
        g.translate(20, f.y0() + (f.h() + fm.stringWidth(yLabel)) / 2.0);
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, 0, fm.getAscent() / 2);
        g.setTransform(saved);
    }

    private void drawLegend(Graphics2D g, Frame f) {
        if (series.isEmpty()) return;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        int line = fm.getHeight() + 4, sample = 30, pad = 8;
        int textW = 0;
        for (Series s : series) textW = Math.max(textW, fm.stringWidth(s.name()));
        int boxW = pad + sample + 8 + textW + pad, boxH = pad + line * series.size() + pad - 4;
        int bx = f.x0() + f.w() - boxW - 10;
        int by = legend == LegendCorner.TOP_RIGHT ? f.y0() + 10 : f.y0() + f.h() - boxH - 10;
        g.setColor(new Color(255, 255, 255, 230));
        g.fillRect(bx, by, boxW, boxH);
        g.setColor(new Color(0xAAAAAA));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(bx, by, boxW, boxH);
        int y = by + pad + fm.getAscent();
        for (Series s : series) {
            int midY = y - fm.getAscent() / 2 + 1;
            g.setColor(s.color());
            g.setStroke(stroke(s));
            g.drawLine(bx + pad, midY, bx + pad + sample, midY);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), bx + pad + sample + 8, y);
            y += line;
        }
    }
}
