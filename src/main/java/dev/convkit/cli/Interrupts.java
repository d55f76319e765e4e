package dev.convkit.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) or SIGTERM (what {@code kill}, Slurm and Kubernetes send before they kill) while {@code fit}
 * trains: the first one runs {@code onFirst} (the trainer stops at the next step boundary, so the run folder keeps
 * the checkpoint of the last complete epoch and the plots are drawn for the epochs done); a second one runs
 * {@code onSecond} with its exit status, which exits at once. The exit status is 128 + the signal's number, as shells
 * report it: 130 for SIGINT, 143 for SIGTERM.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported, present in every JDK from 9 to 25) is the JDK's only API that
 * lets the program, rather than the shutdown sequence, decide what these signals do: a shutdown hook could not let
 * the step finish and then return an exit code, nor tell a second signal from the first; and the JVM's default
 * SIGTERM ends the process while native oneDNN work may still be running. When the JVM does not let a handler be
 * installed (it was started with {@code -Xrs}), that signal keeps its default effect.
 */
final class Interrupts implements AutoCloseable {
    /** Signal numbers on Linux and macOS. */
    static final int SIGINT = 2, SIGTERM = 15;

    private final AtomicInteger count = new AtomicInteger();
    private volatile int first;                    // number of the first signal received; 0 before
    private final Runnable onFirst;
    private final IntConsumer onSecond;
    private final List<Signal> signals = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();   // restored by close()

    /** Handles SIGINT and SIGTERM until {@link #close()}. */
    static Interrupts install(Runnable onFirst, IntConsumer onSecond) { return new Interrupts(onFirst, onSecond, true); }

    /** Handlers without signals: {@link #handle(int)} stands for a signal (tests). */
    static Interrupts detached(Runnable onFirst, IntConsumer onSecond) { return new Interrupts(onFirst, onSecond, false); }

    private Interrupts(Runnable onFirst, IntConsumer onSecond, boolean install) {
        this.onFirst = onFirst;
        this.onSecond = onSecond;
        if (!install) return;
        for (String name : new String[] {"INT", "TERM"}) {
            try {
                Signal s = new Signal(name);
                SignalHandler p = Signal.handle(s, sig -> handle(sig.getNumber()));
                signals.add(s);
                previous.add(p);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // -Xrs, or a platform without this signal: its default behaviour stays
            }
        }
    }

    /** Signal {@code number}: the first runs {@code onFirst}, every later one {@code onSecond}. */
    void handle(int number) {
        if (count.incrementAndGet() == 1) {
            first = number;
            onFirst.run();
        } else {
            onSecond.accept(128 + number);
        }
    }

    /** Whether a signal arrived at least once. */
    boolean received() { return count.get() > 0; }

    /** The exit status for the first signal received (130 for SIGINT, 143 for SIGTERM); 130 before any. */
    int exitCode() { return 128 + (first == 0 ? SIGINT : first); }

    @Override public void close() {
        for (int i = 0; i < signals.size(); i++) Signal.handle(signals.get(i), previous.get(i));
    }
}
