package dev.convkit.graph.diagram;

import java.awt.BasicStroke;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;

/**
 * Draws a laid-out {@link BoxGraph} with Java2D into an RGB image (headless: no display is needed), the same picture
 * as {@link SvgRenderer}. {@link #scale} gives the pixels per diagram unit: 2 for crisp text, lowered for very tall
 * models so that no side exceeds {@link #MAX_SIDE} pixels (many viewers refuse larger images) and the image holds
 * at most {@link #MAX_PIXELS} (96 MiB as 4-byte RGB). DenseNet-BC-100, 24,000 units tall, is drawn at 1.33.
 */
final class PngRenderer {
    static final int MAX_SIDE = 32_000;
    static final double MAX_PIXELS = 24e6;
    static final double PREFERRED_SCALE = 2.0;

    private PngRenderer() {}

    static double scale(Layout layout) {
        double longest = Math.max(layout.width(), layout.height());
        double bySide = (MAX_SIDE - 1) / longest;      // -1: pixels() rounds up
        double byArea = Math.sqrt(MAX_PIXELS / (layout.width() * layout.height()));
        return Math.min(PREFERRED_SCALE, Math.min(bySide, byArea));
    }

    static int pixels(double units, double scale) { return (int) Math.ceil(units * scale); }

    static BufferedImage render(BoxGraph g, Layout layout, Style style) {
        double s = scale(layout);
        BufferedImage img = new BufferedImage(pixels(layout.width(), s), pixels(layout.height(), s), BufferedImage.TYPE_INT_RGB);
        Graphics2D g2 = img.createGraphics();
        try {
            g2.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g2.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g2.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
            g2.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g2.setColor(Style.BACKGROUND);
            g2.fillRect(0, 0, img.getWidth(), img.getHeight());
            g2.scale(s, s);
            drawEdges(g2, layout);
            drawBoxes(g2, g, layout, style);
        } finally {
            g2.dispose();
        }
        return img;
    }

    private static void drawEdges(Graphics2D g2, Layout layout) {
        g2.setColor(Style.EDGE);
        g2.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND));
        for (double[] p : layout.paths()) {
            double[] line = Arrows.shortened(p);
            Path2D.Double path = new Path2D.Double();
            path.moveTo(line[0], line[1]);
            for (int k = 2; k < line.length; k += 2) path.lineTo(line[k], line[k + 1]);
            g2.draw(path);
            double[] h = Arrows.head(p);
            Path2D.Double tri = new Path2D.Double();
            tri.moveTo(h[0], h[1]);
            tri.lineTo(h[2], h[3]);
            tri.lineTo(h[4], h[5]);
            tri.closePath();
            g2.fill(tri);
        }
    }

    private static void drawBoxes(Graphics2D g2, BoxGraph g, Layout layout, Style style) {
        g2.setStroke(new BasicStroke(1f));
        for (int i = 0; i < g.boxes().size(); i++) {
            BoxGraph.Box b = g.boxes().get(i);
            Layout.Rect r = layout.boxes().get(i);
            RoundRectangle2D.Double shape = new RoundRectangle2D.Double(r.x(), r.y(), r.w(), r.h(), 2 * Style.CORNER, 2 * Style.CORNER);
            g2.setColor(Style.fill(b.kind()));
            g2.fill(shape);
            g2.setColor(Style.BORDER);
            g2.draw(shape);
            double cx = r.x() + r.w() / 2;

            g2.setFont(style.nameFont);
            g2.setColor(Style.NAME_TEXT);
            g2.drawString(b.name(), (float) (cx - style.nameWidth(b.name()) / 2), (float) (r.y() + style.nameBaseline()));

            g2.setFont(style.detailFont);
            String type = b.type();
            String rest = Style.TYPE_SHAPE_GAP + b.shape();
            double x0 = cx - style.detailWidth(Style.detail(b)) / 2;
            float baseline = (float) (r.y() + style.detailBaseline());
            g2.setColor(Style.TYPE_TEXT);
            g2.drawString(type, (float) x0, baseline);
            g2.setColor(Style.SHAPE_TEXT);
            g2.drawString(rest, (float) (x0 + style.detailWidth(type)), baseline);
        }
    }
}
