package dev.convkit.backend.dnnl;

import dev.convkit.backend.BackendException;
import java.util.ArrayList;
import java.util.List;

/**
 * Native handles owned by one kernel (descriptors, primitive descriptors, primitives, memory objects, argument
 * arrays), released in reverse order of creation by {@link #releaseAll()}. Every handle is released even when an
 * earlier release fails; the first failure is reported afterwards.
 */
final class NativeResources {
    /** Releases one handle and returns its dnnl status (0 on success). */
    @FunctionalInterface
    interface Release {
        int release();
    }

    private record Entry(String call, Release release) {}

    private final List<Entry> entries = new ArrayList<>();

    /** Registers a release to run at {@link #releaseAll()}; {@code call} names the C function for messages. */
    void add(String call, Release release) { entries.add(new Entry(call, release)); }

    /** Releases everything registered so far, newest first; idempotent. */
    void releaseAll() {
        String failure = null;
        for (int i = entries.size() - 1; i >= 0; i--) {
            Entry e = entries.get(i);
            int status = e.release().release();
            if (status != 0 && failure == null) failure = e.call() + " failed: " + DnnlStatus.name(status);
        }
        entries.clear();
        if (failure != null) throw new BackendException(DnnlStatus.ENGINE, failure);
    }
}
