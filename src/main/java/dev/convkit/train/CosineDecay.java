package dev.convkit.train;

/**
 * Step-wise cosine decay with optional linear warm-up. With W warm-up steps and D decay steps (both from epochs ×
 * steps per epoch, rounded), at global step s:
 * <ul>
 *   <li>s &lt; W: {@code base·(s+1)/W} (the first step already moves);</li>
 *   <li>otherwise, with p = min((s−W)/D, 1): {@code base·(alpha + (1−alpha)·(1 + cos(π·p))/2)}, so base at the
 *       end of warm-up and alpha·base from step W+D on.</li>
 * </ul>
 */
public final class CosineDecay implements LearningRateSchedule {
    private final double decayEpochs, alpha, warmupEpochs;

    public CosineDecay(double decayEpochs, double alpha, double warmupEpochs) {
        if (!(decayEpochs > 0)) throw new IllegalArgumentException("cosine decay needs a positive number of decay epochs, got " + decayEpochs);
        if (!(alpha >= 0 && alpha <= 1)) throw new IllegalArgumentException("cosine decay alpha (final fraction of the rate) must be in [0, 1], got " + alpha);
        if (!(warmupEpochs >= 0)) throw new IllegalArgumentException("cosine decay warm-up epochs must be >= 0, got " + warmupEpochs);
        this.decayEpochs = decayEpochs;
        this.alpha = alpha;
        this.warmupEpochs = warmupEpochs;
    }

    @Override public boolean perStep() { return true; }

    @Override public double rate(double base, double current, Position at) {
        long s = at.globalStep();
        long w = LearningRateSchedule.steps(warmupEpochs, at.stepsPerEpoch());
        if (s < w) return base * (s + 1) / w;
        long d = Math.max(1, LearningRateSchedule.steps(decayEpochs, at.stepsPerEpoch()));
        double p = Math.min((double) (s - w) / d, 1.0);
        return base * (alpha + (1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * p)));
    }

    @Override public String toString() {
        return "cosine(decay " + decayEpochs + " epochs, alpha " + alpha + (warmupEpochs > 0 ? ", warm-up " + warmupEpochs + " epochs" : "") + ")";
    }
}
