package dev.convkit.cli.plot;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The two PNG charts written into a run folder at the end of training: {@code loss.png} (train and validation loss
 * per epoch) and {@code accuracy.png} (train and validation accuracy per epoch). Metrics are looked up by their Keras
 * names ("loss", "val_loss", "accuracy", "val_accuracy"); a missing metric is left out of its chart.
 */
public final class TrainingPlots {
    public static final int WIDTH = 900, HEIGHT = 560;
    private static final Color TRAIN = new Color(0x1F77B4), VALIDATION = new Color(0xD62728);

    private TrainingPlots() {}

    /**
     * Writes loss.png and accuracy.png into {@code dir} (which must exist), for epochs {@code firstEpoch},
     * {@code firstEpoch + 1}, ... (1-based, as the progress lines number them). Returns the files written.
     */
    public static List<Path> write(Path dir, String modelName, Map<String, double[]> history, int firstEpoch) throws IOException {
        List<Path> written = new ArrayList<>();
        LineChart loss = chart("Loss: " + modelName, "loss", history, "loss", "val_loss", firstEpoch);
        if (loss != null) {
            Path f = dir.resolve("loss.png");
            loss.legend(LineChart.LegendCorner.TOP_RIGHT).writePng(f, WIDTH, HEIGHT);
            written.add(f);
        }
        LineChart acc = chart("Accuracy: " + modelName, "accuracy", history, "accuracy", "val_accuracy", firstEpoch);
        if (acc != null) {
            Path f = dir.resolve("accuracy.png");
            acc.legend(LineChart.LegendCorner.BOTTOM_RIGHT).yBounds(0, 1).writePng(f, WIDTH, HEIGHT);
            written.add(f);
        }
        return written;
    }

    private static LineChart chart(String title, String yLabel, Map<String, double[]> history, String trainKey, String valKey, int firstEpoch) {
        double[] train = history.get(trainKey), val = history.get(valKey);
        LineChart c = new LineChart(title, "epoch", yLabel);
        boolean any = false;
        if (train != null && train.length > 0) { c.add(new Series("train", epochs(train.length, firstEpoch), train, TRAIN, false)); any = true; }
        if (val != null && val.length > 0) { c.add(new Series("validation", epochs(val.length, firstEpoch), val, VALIDATION, true)); any = true; }
        return any ? c : null;
    }

    private static double[] epochs(int n, int first) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) x[i] = first + i;
        return x;
    }
}
