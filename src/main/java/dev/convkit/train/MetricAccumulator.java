package dev.convkit.train;

import dev.convkit.graph.ProgramBuilder.Labels;

/** Running sums behind {@link Metrics}: loss weighted by batch size, top-1 and top-5 hits, sample count. */
public final class MetricAccumulator {
    private double lossSum;
    private long top1, top5, samples;

    /** Adds one batch: its mean {@code loss}, softmax {@code probs} [batch, K] and labels. Returns this batch's metrics. */
    public Metrics add(double loss, float[] probs, float[] labels, Labels kind, int batch) {
        int h1 = Accuracy.hits(probs, labels, kind, batch, 1);
        int h5 = Accuracy.hits(probs, labels, kind, batch, 5);
        lossSum += loss * batch;
        top1 += h1;
        top5 += h5;
        samples += batch;
        return new Metrics(loss, (double) h1 / batch, (double) h5 / batch, batch);
    }

    /** The averages so far; NaN values when nothing was added. */
    public Metrics result() {
        if (samples == 0) return new Metrics(Double.NaN, Double.NaN, Double.NaN, 0);
        return new Metrics(lossSum / samples, (double) top1 / samples, (double) top5 / samples, samples);
    }

    public long samples() { return samples; }

    public void reset() {
        lossSum = 0;
        top1 = top5 = samples = 0;
    }
}
