package dev.convkit.train;

import dev.convkit.io.Json;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Keras's {@code ReduceLROnPlateau}: when the monitored metric has not improved by more than {@code minDelta} for
 * {@code patience} epochs, multiply the rate by {@code factor} (not below {@code minLr}), then wait {@code cooldown}
 * epochs before counting again.
 *
 * <p>At each epoch end, exactly as Keras: if in cooldown, count it down and reset the wait; then if the value
 * improves on the best, it becomes the best and the wait resets; otherwise, outside cooldown, the wait grows and on
 * reaching patience the rate drops (only if it is above minLr), the cooldown starts and the wait resets.
 */
public final class ReduceLROnPlateau implements Callback {
    private final Monitor monitor;
    private final double factor, minDelta, minLr;
    private final int patience, cooldown;
    private double best;
    private int wait, cooldownCounter;

    public ReduceLROnPlateau(Monitor monitor, double factor, int patience, double minDelta, int cooldown, double minLr) {
        if (!(factor > 0 && factor < 1)) throw new IllegalArgumentException("ReduceLROnPlateau factor must be in (0, 1), got " + factor);
        if (patience < 0 || cooldown < 0) throw new IllegalArgumentException("ReduceLROnPlateau patience and cooldown must be >= 0, got "
                + patience + " and " + cooldown);
        if (!(minLr >= 0) || !(minDelta >= 0)) throw new IllegalArgumentException("ReduceLROnPlateau minLr and minDelta must be >= 0, got "
                + minLr + " and " + minDelta);
        this.monitor = monitor;
        this.factor = factor;
        this.patience = patience;
        this.minDelta = minDelta;
        this.cooldown = cooldown;
        this.minLr = minLr;
        reset();
    }

    /** The Keras CIFAR ResNet seeds: val_loss, factor √0.1, patience 5, min_delta 1e-4, cooldown 0, min_lr 0.5e-6. */
    public static ReduceLROnPlateau kerasResNet() {
        return new ReduceLROnPlateau(Monitor.auto(EpochLogs.VAL_LOSS), Math.sqrt(0.1), 5, 1e-4, 0, 0.5e-6);
    }

    private void reset() {
        best = monitor.worst();
        wait = 0;
        cooldownCounter = 0;
    }

    @Override public void onTrainBegin(TrainingState state) { reset(); }

    @Override public void onEpochEnd(TrainingState state, EpochLogs logs) {
        double current = monitor.read(logs, "ReduceLROnPlateau");
        if (cooldownCounter > 0) {
            cooldownCounter--;
            wait = 0;
        }
        if (monitor.improves(current, best, minDelta)) {
            best = current;
            wait = 0;
        } else if (cooldownCounter == 0) {
            wait++;
            if (wait >= patience) {
                double old = state.learningRate();
                if (old > (float) minLr) {   // Keras compares with np.float32(min_lr)
                    state.setLearningRate(Math.max(old * factor, minLr));
                    cooldownCounter = cooldown;
                    wait = 0;
                }
            }
        }
    }

    /** Epochs without improvement counted so far. */
    public int waitCount() { return wait; }

    public double best() { return best; }

    @Override public String stateKey() { return "reduce_lr_on_plateau/" + monitor.metric(); }

    @Override public Map<String, Object> saveState() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("best", best);               // ±∞ is written as null and read back as "no best yet"
        m.put("wait", wait);
        m.put("cooldown_counter", cooldownCounter);
        return m;
    }

    @Override public void restoreState(Map<String, Object> s) {
        double b = Json.toDouble(s.get("best"));
        best = Double.isNaN(b) ? monitor.worst() : b;
        wait = (int) Json.toLong(s.get("wait"));
        cooldownCounter = (int) Json.toLong(s.get("cooldown_counter"));
    }

    @Override public String toString() {
        return "ReduceLROnPlateau(" + monitor + ", factor " + factor + ", patience " + patience + ", min_delta " + minDelta
                + ", cooldown " + cooldown + ", min_lr " + minLr + ")";
    }
}
