package dev.convkit.cli.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import dev.convkit.io.AtomicFiles;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The charts written into a run folder at the end of training, drawn by JFreeChart: {@code loss.png} / {@code loss.svg}
 * (train and validation loss per epoch) and {@code accuracy.png} / {@code accuracy.svg} (train and validation
 * accuracy, y axis [0, 1]). Metrics are looked up by their Keras names ("loss", "val_loss", "accuracy",
 * "val_accuracy"); a missing metric is left out of its chart, a NaN value (a diverged loss) breaks its line. Values of
 * a million or more are labelled in scientific notation so the axis stays narrow. Works headless.
 */
public final class TrainingPlots {
    public static final int WIDTH = 900, HEIGHT = 560;
    static final Color TRAIN = new Color(0x1F77B4), VALIDATION = new Color(0xD62728);
    private static final int MARKER_LIMIT = 40;                 // point markers up to this many epochs

    private TrainingPlots() {}

    /**
     * Writes loss.png, loss.svg, accuracy.png and accuracy.svg into {@code dir} (which must exist), for epochs
     * {@code firstEpoch}, {@code firstEpoch + 1}, ... (1-based, as the progress lines number them). Returns the
     * files written.
     */
    public static List<Path> write(Path dir, String modelName, Map<String, double[]> history, int firstEpoch) throws IOException {
        List<Path> written = new ArrayList<>();
        JFreeChart loss = chart("Loss: " + modelName, "loss", history, "loss", "val_loss", firstEpoch, false);
        if (loss != null) written.addAll(save(loss, dir, "loss"));
        JFreeChart acc = chart("Accuracy: " + modelName, "accuracy", history, "accuracy", "val_accuracy", firstEpoch, true);
        if (acc != null) written.addAll(save(acc, dir, "accuracy"));
        return written;
    }

    /** The chart of one train/validation metric pair, or null when neither has a value. */
    static JFreeChart chart(String title, String yLabel, Map<String, double[]> history, String trainKey, String valKey, int firstEpoch,
                            boolean unitRange) {
        XYSeriesCollection data = new XYSeriesCollection();
        List<Color> colors = new ArrayList<>();
        List<Boolean> dashed = new ArrayList<>();
        int points = 0;
        for (String key : new String[] {trainKey, valKey}) {
            double[] y = history.get(key);
            if (y == null || y.length == 0) continue;
            XYSeries s = new XYSeries(key.equals(trainKey) ? "train" : "validation", false, true);
            for (int i = 0; i < y.length; i++) s.add(firstEpoch + i, Double.isFinite(y[i]) ? y[i] : Double.NaN);
            data.addSeries(s);
            colors.add(key.equals(trainKey) ? TRAIN : VALIDATION);
            dashed.add(!key.equals(trainKey));
            points = Math.max(points, y.length);
        }
        if (data.getSeriesCount() == 0) return null;
        JFreeChart chart = ChartFactory.createXYLineChart(title, "epoch", yLabel, data, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xE3E3E3));
        plot.setRangeGridlinePaint(new Color(0xE3E3E3));
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, points <= MARKER_LIMIT);
        for (int i = 0; i < colors.size(); i++) {
            r.setSeriesPaint(i, colors.get(i));
            r.setSeriesStroke(i, dashed.get(i) ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {8f, 5f}, 0f)
                    : new BasicStroke(2f));
        }
        plot.setRenderer(r);
        NumberAxis x = (NumberAxis) plot.getDomainAxis();
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setAutoRangeIncludesZero(false);
        if (points == 1) x.setRange(firstEpoch - 1, firstEpoch + 1);
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setNumberFormatOverride(new AxisNumbers());
        if (unitRange) y.setRange(0, 1);
        else y.setAutoRangeIncludesZero(true);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        return chart;
    }

    private static List<Path> save(JFreeChart chart, Path dir, String name) throws IOException {
        Path png = dir.resolve(name + ".png"), svg = dir.resolve(name + ".svg");
        BufferedImage img = chart.createBufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB, null);
        AtomicFiles.write(png, out -> ImageIO.write(img, "png", out));
        SVGGraphics2D g = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(g, new Rectangle(0, 0, WIDTH, HEIGHT));
        String text = g.getSVGDocument();
        AtomicFiles.write(svg, text.getBytes(StandardCharsets.UTF_8));
        return List.of(png, svg);
    }

    /** Axis labels: plain decimals (as few as the value needs, at most four), scientific from a million on. */
    public static final class AxisNumbers extends NumberFormat {
        private static final long serialVersionUID = 1L;
        private final DecimalFormat plain = new DecimalFormat("0.####", DecimalFormatSymbols.getInstance(Locale.ROOT));

        @Override public StringBuffer format(double v, StringBuffer to, FieldPosition pos) {
            return to.append(Math.abs(v) >= 1e6 ? String.format(Locale.ROOT, "%.2e", v) : plain.format(v));
        }

        @Override public StringBuffer format(long v, StringBuffer to, FieldPosition pos) { return format((double) v, to, pos); }

        @Override public Number parse(String source, ParsePosition pos) { return plain.parse(source, pos); }
    }
}
