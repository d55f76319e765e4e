package dev.convkit.train;

import dev.convkit.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Keras's {@code ModelCheckpoint}: either keeps the best epoch by a monitored metric as checkpoint {@link
 * Checkpoint#BEST} (default: val_accuracy, maximised), or writes every epoch as {@code epoch-NNNN}. Checkpoints go to
 * {@code folder}, or to the trainer's run folder when {@code folder} is null. "Better" is strictly better (Keras has
 * no min_delta here).
 */
public final class ModelCheckpoint implements Callback {
    private final Path folder;              // null: the trainer's run folder
    private final Monitor monitor;          // null when every epoch is saved
    private double best;
    private int bestEpoch = -1;

    private ModelCheckpoint(Path folder, Monitor monitor) {
        this.folder = folder;
        this.monitor = monitor;
        this.best = monitor == null ? Double.NaN : monitor.worst();
    }

    /** Saves {@link Checkpoint#BEST} whenever {@code monitor} improves. */
    public static ModelCheckpoint best(Path folder, Monitor monitor) { return new ModelCheckpoint(folder, monitor); }

    /** Saves the best epoch by val_accuracy (the Keras CIFAR ResNet seeds). */
    public static ModelCheckpoint bestValAccuracy(Path folder) { return best(folder, Monitor.auto(EpochLogs.VAL_ACCURACY)); }

    /** Saves every epoch as {@code epoch-0001}, {@code epoch-0002}, ... (1-based epoch numbers). */
    public static ModelCheckpoint everyEpoch(Path folder) { return new ModelCheckpoint(folder, null); }

    /** The checkpoint name an every-epoch checkpoint of 0-based {@code epoch} gets. */
    public static String epochName(int epoch) { return String.format(Locale.ROOT, "epoch-%04d", epoch + 1); }

    @Override public void onTrainBegin(TrainingState state) {
        if (folder == null && state.runDirectory() == null) throw new IllegalStateException("ModelCheckpoint has no folder and the trainer has no "
                + "run folder; give one of them");
    }

    @Override public void onEpochEnd(TrainingState state, EpochLogs logs) {
        Path dir = folder != null ? folder : state.runDirectory();
        String name;
        if (monitor == null) {
            name = epochName(logs.epoch());
        } else {
            double current = monitor.read(logs, "ModelCheckpoint");
            if (!monitor.improves(current, best, 0)) return;
            best = current;
            bestEpoch = logs.epoch();
            name = Checkpoint.BEST;
        }
        try {
            state.trainer().saveCheckpoint(dir, name);
        } catch (IOException e) {
            throw new UncheckedIOException("ModelCheckpoint could not write checkpoint '" + name + "' to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Best monitored value so far (NaN when saving every epoch). */
    public double best() { return best; }

    /** 0-based epoch of the best checkpoint, or −1. */
    public int bestEpoch() { return bestEpoch; }

    @Override public String stateKey() { return monitor == null ? null : "model_checkpoint/" + monitor.metric(); }

    @Override public Map<String, Object> saveState() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("best", best);
        m.put("best_epoch", bestEpoch + 1);              // counted from 1 as in log.csv; 0: none yet
        return m;
    }

    @Override public void restoreState(Map<String, Object> s) {
        double b = Json.toDouble(s.get("best"));
        best = Double.isNaN(b) ? monitor.worst() : b;
        bestEpoch = (int) Json.toLong(s.get("best_epoch")) - 1;
    }

    @Override public String toString() {
        return "ModelCheckpoint(" + (monitor == null ? "every epoch" : "best by " + monitor) + ", " + (folder == null ? "run folder" : folder) + ")";
    }
}
