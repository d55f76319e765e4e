package dev.convkit.train.progress;

import java.io.Console;
import java.lang.reflect.Method;

/** Whether standard output goes to a terminal, on every JDK from 17 on. */
final class Terminal {
    private Terminal() {}

    /**
     * On JDK 17–21 {@link System#console()} is non-null only when stdin and stdout are terminals. From JDK 22 it may
     * return a console for redirected streams too, and {@code Console.isTerminal()} (absent on 17, hence reflection)
     * gives the answer. TERM=dumb (Emacs shells, some CI) counts as not interactive.
     */
    static boolean isInteractive() {
        if ("dumb".equals(System.getenv("TERM"))) return false;
        Console c = System.console();
        if (c == null) return false;
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(c);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
