package dev.convkit.train.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.train.BatchProgress;
import dev.convkit.train.EpochLogs;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress bar's text, its redraw-in-place and plain-line modes (on a fake clock), and the epoch summary. */
class ProgressTest {
    private long now;                                      // fake clock, nanoseconds

    private static BatchProgress batch(int step, int steps) {
        return new BatchProgress(2, 20, step, steps, step * 32L, 0.0412, 0.9871, 0.999, 1e-3, 812.4, (steps - step) * 0.25);
    }

    private static EpochLogs logs() {
        Map<String, Double> v = new LinkedHashMap<>();
        v.put(EpochLogs.LOSS, 0.0412);
        v.put(EpochLogs.ACCURACY, 0.9871);
        v.put(EpochLogs.TOP5, 0.9999);
        v.put(EpochLogs.VAL_LOSS, 0.0398);
        v.put(EpochLogs.VAL_ACCURACY, 0.988);
        v.put(EpochLogs.VAL_TOP5, 1.0);
        v.put(EpochLogs.LR, 1e-3);
        v.put(EpochLogs.SECONDS, 41.3);
        return new EpochLogs(2, v);
    }

    @Test void theEpochSummaryIsOneKerasLikeLine() {
        assertEquals("Epoch 3/20 - 41s - loss: 0.0412 - accuracy: 0.9871 - val_loss: 0.0398 - val_accuracy: 0.9880 - lr: 1.0e-03",
                ProgressBar.summary(logs(), 20));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", Double.NaN);
        assertEquals("Epoch 1/1 - 2m05s - loss: nan", EpochLine.format(1, 1, 125, m, Double.NaN));
        m.put("loss", 1.9862600676676862e21);
        m.put("accuracy", 99999.5);
        assertEquals("Epoch 1/1 - 2m05s - loss: 1.9863e+21 - accuracy: 99999.5000", EpochLine.format(1, 1, 125, m, Double.NaN),
                "scientific from 1e5 on, not a row of 22 digits");
        assertEquals("1h02m", Durations.format(3725));
        assertEquals("?", Durations.format(Double.NaN));
    }

    @Test void theBarLineShowsProgressLossAccuracyThroughputAndEta() {
        assertEquals("Epoch 3/20 [============>...........] 120/235 - loss: 0.0412 - accuracy: 0.9871 - 812 img/s - ETA 29s",
                ProgressBar.line(batch(120, 235)));
        assertEquals("Epoch 3/20 [========================] 235/235 - loss: 0.0412 - accuracy: 0.9871 - 812 img/s",
                ProgressBar.line(batch(235, 235)));
        assertEquals("Epoch 3/20 [>.......................]   1/235 - loss: 0.0412 - accuracy: 0.9871 - 812 img/s - ETA 59s",
                ProgressBar.line(batch(1, 235)));
    }

    @Test void onATerminalTheBarIsRedrawnInPlaceAtMostTenTimesASecond() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), ProgressBar.Mode.BAR, () -> now, 10_000_000_000L);
        now = 0;
        bar.onEpochBegin(2, 20, 4);
        now = 200_000_000L;
        bar.onBatchEnd(batch(1, 4));
        now = 250_000_000L;
        bar.onBatchEnd(batch(2, 4));                      // 50 ms later: not redrawn
        now = 400_000_000L;
        bar.onBatchEnd(batch(3, 4));
        now = 410_000_000L;
        bar.onBatchEnd(batch(4, 4));                      // the last step is always drawn
        bar.onEpochEnd(logs(), 20);
        String s = text.toString();
        assertEquals(3, s.chars().filter(c -> c == '\r').count() - 2, "three redraws plus the two of clearing the bar:\n" + s);
        assertFalse(s.contains(" 2/4 "), "step 2 came too soon to be drawn");
        assertTrue(s.contains("\rEpoch 3/20 [======>.................] 1/4"), s);
        assertTrue(s.endsWith("\rEpoch 3/20 - 41s - loss: 0.0412 - accuracy: 0.9871 - val_loss: 0.0398 - val_accuracy: 0.9880 - lr: 1.0e-03"
                + System.lineSeparator()), s);
    }

    @Test void inALogProgressIsAPlainLineEveryIntervalWithoutCarriageReturns() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), ProgressBar.Mode.LINES, () -> now, 10_000_000_000L);
        now = 0;
        bar.onEpochBegin(2, 20, 100);
        for (int step = 1; step <= 100; step++) {
            now = step * 500_000_000L;                      // half a second per step: 50 s in all
            bar.onBatchEnd(batch(step, 100));
        }
        bar.onEpochEnd(logs(), 20);
        String s = text.toString();
        assertFalse(s.contains("\r"), s);
        String[] lines = s.split(System.lineSeparator());
        assertEquals(5, lines.length, "a line at 10, 20, 30 and 40 s (the last step is left to the summary), then the summary:\n" + s);
        assertTrue(lines[0].startsWith("Epoch 3/20 [====>...................]  20/100"), lines[0]);
        assertTrue(lines[4].startsWith("Epoch 3/20 - 41s - loss"), lines[4]);
    }

    @Test void offShowsOnlyTheSummaries() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), ProgressBar.Mode.OFF, () -> now, 1);
        bar.onEpochBegin(2, 20, 2);
        now = 1_000_000_000L;
        bar.onBatchEnd(batch(1, 2));
        bar.onBatchEnd(batch(2, 2));
        bar.onEpochEnd(logs(), 20);
        assertEquals(ProgressBar.summary(logs(), 20) + System.lineSeparator(), text.toString());
        assertEquals(ProgressBar.Mode.LINES, ProgressBar.Mode.parse("LINES"));
    }
}
