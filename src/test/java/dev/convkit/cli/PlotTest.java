package dev.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.cli.plot.TrainingPlots;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PNG charts of a run: valid files of the expected size that show both curves; and the tick arithmetic. */
class PlotTest {
    @TempDir Path tmp;

    @BeforeAll static void headless() { System.setProperty("java.awt.headless", "true"); }

    private static Map<String, double[]> history(int n) {
        Map<String, double[]> h = new LinkedHashMap<>();
        double[] loss = new double[n], vl = new double[n], acc = new double[n], va = new double[n];
        for (int i = 0; i < n; i++) {
            loss[i] = 2.0 * Math.exp(-i / 3.0);
            vl[i] = 2.2 * Math.exp(-i / 4.0) + 0.1;
            acc[i] = 1 - 0.8 * Math.exp(-i / 3.0);
            va[i] = 0.95 - 0.8 * Math.exp(-i / 4.0);
        }
        h.put("loss", loss);
        h.put("val_loss", vl);
        h.put("accuracy", acc);
        h.put("val_accuracy", va);
        return h;
    }

    /** Pixels whose colour is within 40 (per channel) of {@code rgb}. */
    private static int pixelsNear(BufferedImage img, int rgb) {
        int count = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                if (Math.abs((p >> 16 & 255) - (rgb >> 16 & 255)) < 40 && Math.abs((p >> 8 & 255) - (rgb >> 8 & 255)) < 40
                        && Math.abs((p & 255) - (rgb & 255)) < 40) count++;
            }
        }
        return count;
    }

    @Test void writesTwoReadablePngsOfTheExpectedSize() throws IOException {
        List<Path> files = TrainingPlots.write(tmp, "resnet20v1", history(12), 1);
        assertEquals(List.of(tmp.resolve("loss.png"), tmp.resolve("loss.svg"), tmp.resolve("accuracy.png"), tmp.resolve("accuracy.svg")), files);
        for (Path svg : List.of(files.get(1), files.get(3))) {
            String text = Files.readString(svg);
            assertTrue(text.startsWith("<?xml") && text.contains("<svg") && text.contains("width='900.0'") && text.strip().endsWith("</svg>"), svg.toString());
            assertTrue(text.contains("rgb(31,119,180)") || text.contains("#1f77b4") || text.contains("#1F77B4"), "train colour in " + svg);
            assertTrue(text.contains("validation") && text.contains("epoch"), "legend and axis title in " + svg);
        }
        for (Path f : List.of(files.get(0), files.get(2))) {
            byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(f), 8);
            assertEquals(List.of(0x89, (int) 'P', (int) 'N', (int) 'G', 0x0d, 0x0a, 0x1a, 0x0a), toList(head), "PNG signature of " + f);
            BufferedImage img = ImageIO.read(f.toFile());
            assertEquals(TrainingPlots.WIDTH, img.getWidth());
            assertEquals(TrainingPlots.HEIGHT, img.getHeight());
            assertTrue(pixelsNear(img, 0x1F77B4) > 300, "train curve (blue) drawn in " + f);
            assertTrue(pixelsNear(img, 0xD62728) > 200, "validation curve (red, dashed) drawn in " + f);
            assertTrue(pixelsNear(img, 0xFFFFFF) > img.getWidth() * img.getHeight() / 2, "white background in " + f);
        }
    }

    @Test void aSingleEpochAndNaNLossesStillDraw() throws IOException {
        Map<String, double[]> h = new LinkedHashMap<>();
        h.put("loss", new double[] {Double.NaN});
        h.put("accuracy", new double[] {0.3});
        List<Path> files = TrainingPlots.write(tmp, "m", h, 1);
        assertEquals(4, files.size());
        assertEquals(TrainingPlots.WIDTH, ImageIO.read(files.get(0).toFile()).getWidth());
    }

    @Test void hugeLossesGetShortScientificLabelsThatFitInTheImage() throws IOException {
        Map<String, double[]> h = new LinkedHashMap<>();
        h.put("loss", new double[] {2.3, 1.9862600676676862e21, 4.1e20});
        h.put("accuracy", new double[] {0.1, 0.1, 0.1});
        List<Path> files = TrainingPlots.write(tmp, "m", h, 1);
        BufferedImage img = ImageIO.read(files.get(0).toFile());
        String svg = Files.readString(files.get(1));
        assertTrue(svg.contains("e+21"), "scientific tick labels in " + files.get(1));
        assertFalse(svg.contains("000000000"), "no long rows of digits in the labels");
        // Nothing is drawn in the first columns: the widest label starts inside the image.
        for (int x = 0; x < 6; x++) for (int yy = 0; yy < img.getHeight(); yy++) assertEquals(0xFFFFFF, img.getRGB(x, yy) & 0xFFFFFF, "pixel " + x + "," + yy);
    }

    private static List<Integer> toList(byte[] b) {
        Integer[] out = new Integer[b.length];
        for (int i = 0; i < b.length; i++) out[i] = b[i] & 0xff;
        return List.of(out);
    }

    @Test void axisLabelsArePlainDecimalsThenScientific() {
        TrainingPlots.AxisNumbers f = new TrainingPlots.AxisNumbers();
        assertEquals("0.6", f.format(0.6));
        assertEquals("15", f.format(15.0));
        assertEquals("0.0412", f.format(0.0412));
        assertEquals("999999", f.format(999_999.0));
        assertEquals("2.00e+21", f.format(1.9999e21));
        assertEquals("-3.50e+06", f.format(-3.5e6));
    }
}
