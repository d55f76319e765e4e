package dev.convkit.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * Appends one CSV row per epoch: {@code epoch,loss,accuracy,top5_accuracy,val_loss,val_accuracy,val_top5_accuracy,lr,seconds}
 * (1-based epoch; val columns empty without validation data; NaN written as "nan"). A fresh run replaces the file
 * and writes the header; a resumed run keeps the rows of the epochs the checkpoint completed and appends, so the file
 * covers the whole run once. Each row is written and closed at
 * once, so a crash loses no finished epoch and no file handle is held between epochs.
 */
public final class CsvLogger implements Callback {
    /** Column order after "epoch". */
    public static final List<String> COLUMNS = List.of(EpochLogs.LOSS, EpochLogs.ACCURACY, EpochLogs.TOP5, EpochLogs.VAL_LOSS,
            EpochLogs.VAL_ACCURACY, EpochLogs.VAL_TOP5, EpochLogs.LR, EpochLogs.SECONDS);

    private final Path file;

    public CsvLogger(Path file) { this.file = file; }

    @Override public void onTrainBegin(TrainingState state) {
        String header = "epoch," + String.join(",", COLUMNS) + "\n";
        if (!state.resumed() || !Files.exists(file)) {
            write(header, false);
            return;
        }
        // Keep the rows of completed epochs only: a crash after a row but before its checkpoint would repeat it.
        StringBuilder kept = new StringBuilder(header);
        for (String line : read()) {
            int comma = line.indexOf(',');
            if (comma <= 0) continue;
            try {
                if (Integer.parseInt(line.substring(0, comma)) <= state.epochsCompleted()) kept.append(line).append('\n');
            } catch (NumberFormatException headerOrJunk) {
                // the header line, rewritten above
            }
        }
        write(kept.toString(), false);
    }

    private List<String> read() {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("CsvLogger cannot read " + file + " to continue it: " + e.getMessage(), e);
        }
    }

    @Override public void onEpochEnd(TrainingState state, EpochLogs logs) {
        StringBuilder sb = new StringBuilder().append(logs.epoch() + 1);
        for (String c : COLUMNS) {
            sb.append(',');
            if (!logs.has(c)) continue;
            double v = logs.get(c);
            sb.append(Double.isNaN(v) ? "nan" : Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : format(c, v));
        }
        write(sb.append('\n').toString(), true);
    }

    private static String format(String column, double v) {
        if (column.equals(EpochLogs.SECONDS)) return String.format(Locale.ROOT, "%.3f", v);
        return Double.toString(v);
    }

    private void write(String text, boolean append) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("CsvLogger cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override public String toString() { return "CsvLogger(" + file + ")"; }
}
