package dev.convkit.data;

/**
 * Derivation of independent seeds from one user seed, so that shuffling and augmentation are reproducible and do not
 * depend on how many worker threads prepare the batches: epoch e's order comes from {@code epoch(seed, e)}, and
 * batch b of that epoch draws its augmentation from {@code batch(epochSeed, b)}.
 */
final class Seeds {
    private Seeds() {}

    /** The SplitMix64 finaliser: a bijective mix with good avalanche, so nearby inputs give unrelated outputs. */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    static long epoch(long seed, int epoch) { return mix64(mix64(seed) + 0x9e3779b97f4a7c15L * (epoch + 1L)); }

    static long batch(long epochSeed, int batch) { return mix64(epochSeed ^ mix64(0x632be59bd9b4e019L + batch)); }
}
