package dev.convkit.train;

import dev.convkit.io.Json;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-epoch logs of a training run, in order (what Keras's {@code fit} returns as {@code History}). */
public final class History {
    private final List<EpochLogs> epochs = new ArrayList<>();

    public History() {}

    /** A copy of {@code other}. */
    public History(History other) { epochs.addAll(other.epochs); }

    /** Appends the logs of the next epoch; epochs must be added in order 0, 1, 2, ... */
    public void add(EpochLogs logs) {
        if (logs.epoch() != epochs.size()) throw new IllegalArgumentException("history holds " + epochs.size()
                + " epochs, so the next must be epoch index " + epochs.size() + ", got " + logs.epoch());
        epochs.add(logs);
    }

    public List<EpochLogs> epochs() { return Collections.unmodifiableList(epochs); }

    public int size() { return epochs.size(); }

    /** The last epoch's logs; an error when empty. */
    public EpochLogs last() {
        if (epochs.isEmpty()) throw new IllegalStateException("the history is empty: no epoch has finished");
        return epochs.get(epochs.size() - 1);
    }

    /** One metric over all epochs (NaN where an epoch lacks it). */
    public double[] series(String key) {
        double[] out = new double[epochs.size()];
        for (int i = 0; i < out.length; i++) out[i] = epochs.get(i).has(key) ? epochs.get(i).get(key) : Double.NaN;
        return out;
    }

    /** JSON form for checkpoint sidecars: a list of objects {@code {"epoch": n, "loss": .., ...}}, n counted from 1 as in log.csv. */
    public List<Object> toJson() {
        List<Object> out = new ArrayList<>();
        for (EpochLogs e : epochs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", e.epoch() + 1);
            m.putAll(e.values());
            out.add(m);
        }
        return out;
    }

    /** Reads {@link #toJson()}'s form back (non-finite values were written as null and read back as NaN). */
    @SuppressWarnings("unchecked")
    public static History fromJson(Object json) {
        if (!(json instanceof List<?> list)) throw new IllegalArgumentException("history must be a JSON array, found " + Json.kind(json));
        History h = new History();
        for (Object o : list) {
            if (!(o instanceof Map)) throw new IllegalArgumentException("history entries must be objects, found " + Json.kind(o));
            Map<String, Object> m = (Map<String, Object>) o;
            Map<String, Double> values = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : m.entrySet()) {
                if (!e.getKey().equals("epoch")) values.put(e.getKey(), Json.toDouble(e.getValue()));
            }
            long n = Json.toLong(m.get("epoch"));
            if (n < 1) throw new IllegalArgumentException("history epoch numbers count from 1, found " + n);
            h.add(new EpochLogs((int) n - 1, values));
        }
        return h;
    }

    @Override public String toString() { return "History(" + epochs.size() + " epochs)"; }
}
