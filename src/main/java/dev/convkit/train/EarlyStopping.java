package dev.convkit.train;

import dev.convkit.io.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras's {@code EarlyStopping}: stop when the monitored metric has not improved by more than {@code minDelta} for
 * {@code patience} epochs; optionally put back the weights of the best epoch when training ends.
 *
 * <p>At each epoch end, as Keras: the wait grows by one; an improvement on the best (or the first value) becomes the
 * best and resets the wait; otherwise, when the wait has reached patience (and this is not the first epoch), training
 * stops. With {@code restoreBestWeights} the parameters of the best epoch are kept in host memory and loaded back at
 * the end of training. They are not checkpointed: after a resume the best weights are those seen since resuming.
 */
public final class EarlyStopping implements Callback {
    private final Monitor monitor;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBestWeights;
    private double best;
    private int wait, bestEpoch = -1, stoppedEpoch = -1;
    private Map<String, float[]> bestWeights;

    public EarlyStopping(Monitor monitor, int patience, double minDelta, boolean restoreBestWeights) {
        if (patience < 0) throw new IllegalArgumentException("EarlyStopping patience must be >= 0, got " + patience);
        this.monitor = monitor;
        this.patience = patience;
        this.minDelta = Math.abs(minDelta);
        this.restoreBestWeights = restoreBestWeights;
        this.best = monitor.worst();
    }

    /** Keras defaults except patience: val_loss, min_delta 0, no restoring. */
    public static EarlyStopping onValLoss(int patience) { return new EarlyStopping(Monitor.auto(EpochLogs.VAL_LOSS), patience, 0, false); }

    @Override public void onTrainBegin(TrainingState state) {
        wait = 0;
        best = monitor.worst();
        bestEpoch = -1;
        stoppedEpoch = -1;
        bestWeights = null;
    }

    @Override public void onEpochEnd(TrainingState state, EpochLogs logs) {
        double current = monitor.read(logs, "EarlyStopping");
        wait++;
        if (bestEpoch < 0 || monitor.improves(current, best, minDelta)) {
            best = current;
            bestEpoch = logs.epoch();
            if (restoreBestWeights) bestWeights = state.trainer().compiledModel().parameters();
            wait = 0;
            return;
        }
        if (wait >= patience && logs.epoch() > 0) {
            stoppedEpoch = logs.epoch();
            state.requestStop("EarlyStopping: " + monitor.metric() + " did not improve on " + best + " (epoch " + (bestEpoch + 1)
                    + ") for " + wait + " epochs");
        }
    }

    @Override public void onTrainEnd(TrainingState state) {
        if (restoreBestWeights && bestWeights != null) state.trainer().compiledModel().loadParameters(bestWeights);
    }

    /** 0-based epoch at which this callback stopped training, or −1. */
    public int stoppedEpoch() { return stoppedEpoch; }

    /** 0-based epoch of the best value, or −1 before any. */
    public int bestEpoch() { return bestEpoch; }

    public double best() { return best; }

    @Override public String stateKey() { return "early_stopping/" + monitor.metric(); }

    @Override public Map<String, Object> saveState() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("best", best);
        m.put("best_epoch", bestEpoch + 1);              // counted from 1 as in log.csv; 0: none yet
        m.put("wait", wait);
        return m;
    }

    @Override public void restoreState(Map<String, Object> s) {
        double b = Json.toDouble(s.get("best"));
        best = Double.isNaN(b) ? monitor.worst() : b;
        bestEpoch = (int) Json.toLong(s.get("best_epoch")) - 1;
        wait = (int) Json.toLong(s.get("wait"));
    }

    @Override public String toString() {
        return "EarlyStopping(" + monitor + ", patience " + patience + ", min_delta " + minDelta + (restoreBestWeights ? ", restore best" : "") + ")";
    }
}
