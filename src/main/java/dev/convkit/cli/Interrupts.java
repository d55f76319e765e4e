package dev.convkit.cli;

import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) while {@code fit} trains: the first one runs {@code onFirst} (the trainer stops at the next step
 * boundary, so the run folder keeps the checkpoint of the last complete epoch and the plots are drawn for the epochs
 * done); a second one runs {@code onSecond}, which exits at once.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported, present in every JDK from 9 to 25) is the JDK's only API that
 * lets the program, rather than the shutdown sequence, decide what SIGINT does: a shutdown hook could not let the
 * step finish and then return an exit code, nor tell a second Ctrl-C from the first. When the JVM does not let the
 * handler be installed (it was started with {@code -Xrs}), Ctrl-C keeps its default effect.
 */
final class Interrupts implements AutoCloseable {
    /** The exit code of a run stopped by Ctrl-C: 128 + SIGINT (2), as shells report it. */
    static final int EXIT_CODE = 130;

    private final AtomicInteger count = new AtomicInteger();
    private final Runnable onFirst, onSecond;
    private final Signal signal;
    private final SignalHandler previous;          // restored by close(); null when no handler was installed

    /** Handles SIGINT until {@link #close()}. */
    static Interrupts install(Runnable onFirst, Runnable onSecond) { return new Interrupts(onFirst, onSecond, true); }

    /** Handlers without a signal: {@link #handle()} stands for the signal (tests). */
    static Interrupts detached(Runnable onFirst, Runnable onSecond) { return new Interrupts(onFirst, onSecond, false); }

    private Interrupts(Runnable onFirst, Runnable onSecond, boolean install) {
        this.onFirst = onFirst;
        this.onSecond = onSecond;
        Signal s = null;
        SignalHandler p = null;
        if (install) {
            try {
                s = new Signal("INT");
                p = Signal.handle(s, sig -> handle());
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                s = null;                          // -Xrs or a platform without SIGINT: the default behaviour stays
            }
        }
        this.signal = s;
        this.previous = p;
    }

    /** One SIGINT: the first runs {@code onFirst}, every later one {@code onSecond}. */
    void handle() {
        if (count.incrementAndGet() == 1) onFirst.run();
        else onSecond.run();
    }

    /** Whether SIGINT arrived at least once. */
    boolean received() { return count.get() > 0; }

    @Override public void close() {
        if (signal != null) Signal.handle(signal, previous);
    }
}
