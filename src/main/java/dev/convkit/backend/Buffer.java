package dev.convkit.backend;

/** A slice of an {@link Arena}. Exposes no address: only the engine that made it can read it. */
public interface Buffer {
    Arena arena();

    long offset();

    long bytes();
}
