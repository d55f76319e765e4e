package dev.convkit.train.progress;

import dev.convkit.train.BatchProgress;
import dev.convkit.train.EpochLogs;
import dev.convkit.train.ProgressListener;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Per-epoch training progress on a terminal or in a log, fed by {@link dev.convkit.train.Trainer}.
 *
 * <p>{@link Mode#BAR}: one line redrawn in place with {@code \r} (at most every {@link #REDRAW_NANOS}):
 * {@code Epoch 3/20 [=========>..............] 120/469 - loss: 0.0412 - accuracy: 0.9871 - 812 img/s - ETA 23s}.
 * {@link Mode#LINES}: the same text as plain lines, one every {@code lineIntervalNanos}, for CI logs where
 * {@code \r} would pile up. {@link Mode#OFF}: only the epoch summaries. In every mode an epoch ends with the
 * {@link EpochLine} summary on a line of its own.
 */
public final class ProgressBar implements ProgressListener {
    /** How progress is shown. */
    public enum Mode {
        BAR, LINES, OFF;

        /**
         * BAR when standard output is a terminal, LINES otherwise. The environment variable
         * {@code CONVKIT_PROGRESS} (bar, lines, off) overrides the guess.
         */
        public static Mode auto() {
            String env = System.getenv("CONVKIT_PROGRESS");
            if (env != null && !env.isBlank() && !env.trim().equalsIgnoreCase("auto")) return parse(env.trim());
            return Terminal.isInteractive() ? BAR : LINES;
        }

        /** "auto", "bar", "lines" or "off" (case-insensitive); the message lists them otherwise. */
        public static Mode parse(String s) {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "auto": return auto();
                case "bar": return BAR;
                case "lines": return LINES;
                case "off": return OFF;
                default: throw new IllegalArgumentException("unknown progress mode '" + s + "'; valid modes: auto, bar, lines, off");
            }
        }
    }

    static final long REDRAW_NANOS = 100_000_000L;       // at most 10 redraws per second
    static final int BAR_WIDTH = 24;

    private final PrintWriter out;
    private final Mode mode;
    private final LongSupplier clock;
    private final long lineIntervalNanos;

    private long lastDraw;
    private int drawnWidth;                                // characters of the bar now on screen; 0 = none
    private String lastLine = "";                          // text of the bar now on screen

    public ProgressBar(PrintWriter out, Mode mode, LongSupplier nanoClock, long lineIntervalNanos) {
        this.out = out;
        this.mode = mode;
        this.clock = nanoClock;
        this.lineIntervalNanos = lineIntervalNanos;
    }

    /** On the system clock, with a plain progress line every 10 s in {@link Mode#LINES}. */
    public ProgressBar(PrintWriter out, Mode mode) { this(out, mode, System::nanoTime, 10_000_000_000L); }

    public Mode mode() { return mode; }

    @Override public void onEpochBegin(int epoch, int totalEpochs, int stepsPerEpoch) {
        lastDraw = clock.getAsLong();
        drawnWidth = 0;
    }

    @Override public void onBatchEnd(BatchProgress p) {
        if (mode == Mode.OFF) return;
        long now = clock.getAsLong();
        boolean last = p.step() >= p.stepsPerEpoch();
        if (mode == Mode.BAR) {
            if (!last && now - lastDraw < REDRAW_NANOS) return;
            draw(line(p));
            lastDraw = now;
        } else {
            if (last || now - lastDraw < lineIntervalNanos) return;   // the epoch summary stands for the last step
            out.println(line(p));
            out.flush();
            lastDraw = now;
        }
    }

    @Override public void onValidationBegin(int epoch, int samples) {
        if (mode == Mode.BAR && drawnWidth > 0) draw(lastLine + " - validating " + samples + " images");
    }

    /** Replaces the bar on screen with {@code text}, blanking what a longer previous text left behind. */
    private void draw(String text) {
        out.print('\r' + text + " ".repeat(Math.max(0, drawnWidth - text.length())));
        out.flush();
        drawnWidth = text.length();
        lastLine = text;
    }

    @Override public void onEpochEnd(EpochLogs logs, int totalEpochs) {
        clearBar();
        out.println(summary(logs, totalEpochs));
        out.flush();
    }

    /** Training stopped inside an epoch: the bar on screen stays, ended by a line break, so what follows starts on a line of its own. */
    @Override public void onInterrupted(int epoch, int totalEpochs) {
        if (mode == Mode.BAR && drawnWidth > 0) {
            out.println();
            drawnWidth = 0;
        }
        out.flush();
    }

    /** A message of its own (a checkpoint written, the rate reduced), on a fresh line even while a bar is drawn. */
    public void message(String text) {
        clearBar();
        out.println(text);
        out.flush();
    }

    private void clearBar() {
        if (mode == Mode.BAR && drawnWidth > 0) {
            out.print('\r' + " ".repeat(drawnWidth) + '\r');
            drawnWidth = 0;
        }
    }

    /** The Keras-like summary: loss, accuracy, their validation values when present, and the rate. */
    public static String summary(EpochLogs logs, int totalEpochs) {
        Map<String, Double> shown = new LinkedHashMap<>();
        for (String k : new String[] {EpochLogs.LOSS, EpochLogs.ACCURACY, EpochLogs.VAL_LOSS, EpochLogs.VAL_ACCURACY}) {
            if (logs.has(k)) shown.put(k, logs.get(k));
        }
        double seconds = logs.has(EpochLogs.SECONDS) ? logs.get(EpochLogs.SECONDS) : Double.NaN;
        double lr = logs.has(EpochLogs.LR) ? logs.get(EpochLogs.LR) : Double.NaN;
        return EpochLine.format(logs.epoch() + 1, totalEpochs, seconds, shown, lr);
    }

    /** The progress text of one batch (without {@code \r}). */
    public static String line(BatchProgress p) {
        StringBuilder sb = new StringBuilder();
        sb.append("Epoch ").append(p.epoch() + 1).append('/').append(p.totalEpochs()).append(' ').append(bar(p.step(), p.stepsPerEpoch()));
        String total = Integer.toString(p.stepsPerEpoch()), done = Integer.toString(p.step());
        sb.append(' ').append(" ".repeat(Math.max(0, total.length() - done.length()))).append(done).append('/').append(total);
        sb.append(" - loss: ").append(EpochLine.metric(p.loss()));
        sb.append(" - accuracy: ").append(EpochLine.metric(p.accuracy()));
        sb.append(" - ").append(Double.isFinite(p.imagesPerSecond()) ? String.format(Locale.ROOT, "%.0f", p.imagesPerSecond()) : "?").append(" img/s");
        if (p.step() < p.stepsPerEpoch()) sb.append(" - ETA ").append(Durations.format(p.etaSeconds()));
        return sb.toString();
    }

    /** {@code [=========>..............]}: '=' for done, '>' at the head, '.' for the rest. */
    static String bar(int done, int total) {
        int filled = total <= 0 ? BAR_WIDTH : (int) Math.min(BAR_WIDTH, (long) done * BAR_WIDTH / total);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < BAR_WIDTH; i++) {
            if (i < filled) sb.append('=');
            else if (i == filled && done < total) sb.append('>');
            else sb.append('.');
        }
        return sb.append(']').toString();
    }
}
