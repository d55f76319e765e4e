package dev.convkit.train;

/**
 * Smith's one-cycle policy, step-wise, with the base rate as the peak, following PyTorch's {@code OneCycleLR}
 * (cosine annealing, two phases). With T total steps, U = pctStart·T − 1 and E = T − 1:
 * <ul>
 *   <li>s ≤ U: anneal from base/divFactor up to base, p = s/U;</li>
 *   <li>s &gt; U: anneal from base down to base/(divFactor·finalDivFactor), p = min((s−U)/(E−U), 1);</li>
 * </ul>
 * where anneal(a, b, p) = b + (a − b)·(1 + cos(π·p))/2.
 */
public final class OneCycle implements LearningRateSchedule {
    private final int totalEpochs;
    private final double pctStart, divFactor, finalDivFactor;

    public OneCycle(int totalEpochs, double pctStart, double divFactor, double finalDivFactor) {
        if (totalEpochs < 1) throw new IllegalArgumentException("one-cycle needs at least 1 epoch, got " + totalEpochs);
        if (!(pctStart > 0 && pctStart < 1)) throw new IllegalArgumentException("one-cycle pctStart must be in (0, 1), got " + pctStart);
        if (!(divFactor >= 1) || !(finalDivFactor >= 1)) throw new IllegalArgumentException("one-cycle divisors must be >= 1, got "
                + divFactor + " and " + finalDivFactor);
        this.totalEpochs = totalEpochs;
        this.pctStart = pctStart;
        this.divFactor = divFactor;
        this.finalDivFactor = finalDivFactor;
    }

    /** PyTorch defaults: 30% rising, start at peak/25, end at start/1e4. */
    public static OneCycle withDefaults(int totalEpochs) { return new OneCycle(totalEpochs, 0.3, 25, 1e4); }

    @Override public boolean perStep() { return true; }

    @Override public double rate(double base, double current, Position at) {
        double total = (double) totalEpochs * at.stepsPerEpoch();
        double up = pctStart * total - 1, end = total - 1;
        double initial = base / divFactor, min = initial / finalDivFactor;
        double s = at.globalStep();
        if (s <= up) return anneal(initial, base, up <= 0 ? 1 : s / up);
        return anneal(base, min, end <= up ? 1 : Math.min((s - up) / (end - up), 1));
    }

    private static double anneal(double from, double to, double p) { return to + (from - to) * 0.5 * (1 + Math.cos(Math.PI * p)); }

    @Override public String toString() {
        return "onecycle(" + totalEpochs + " epochs, rising " + pctStart + ", div " + divFactor + ", final div " + finalDivFactor + ")";
    }
}
