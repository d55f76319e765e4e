package dev.convkit.testing;

import dev.convkit.backend.Availability;
import dev.convkit.backend.BackendProvider;
import dev.convkit.backend.Backends;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints every registered engine with its availability, one line each: {@code NAME<TAB>available<TAB>DETAIL} or
 * {@code NAME<TAB>unavailable<TAB>REASON}. The GPU verification kit (bench/gpu/verify) runs it first to record what
 * the cuda engine itself reports (device, compute capability, memory, cuDNN version, kernel architectures) and to
 * learn why it cannot run. Exit status: 0 when the engine named as the argument is available (or, without an
 * argument, when any is), 3 when it is not, 2 when no engine of that name is registered.
 *
 * <pre>java -cp convkit.jar:deps/*:convkit-tests.jar dev.convkit.testing.EngineReport cuda</pre>
 */
public final class EngineReport {
    static final String AVAILABLE = "available", UNAVAILABLE = "unavailable";

    private EngineReport() {}

    /** One line per registered provider, highest priority first. */
    static List<String> lines() {
        List<String> out = new ArrayList<>();
        for (BackendProvider p : Backends.providers()) {
            Availability a = p.availability();
            out.add(p.name() + "\t" + (a.available() ? AVAILABLE : UNAVAILABLE) + "\t" + oneLine(a.reason()));
        }
        return out;
    }

    /** The reason on one line (a load failure can carry the linker's multi-line message). */
    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    public static void main(String[] args) {
        if (args.length > 1) {
            System.err.println("usage: EngineReport [ENGINE]   (got " + args.length + " arguments)");
            System.exit(2);
        }
        String wanted = args.length == 1 ? args[0] : null;
        boolean known = wanted == null, ok = false;
        for (String line : lines()) {
            System.out.println(line);
            String[] f = line.split("\t", 3);
            if (wanted == null || f[0].equals(wanted)) {
                known = true;
                ok |= f[1].equals(AVAILABLE);
            }
        }
        System.out.flush();
        if (!known) {
            System.err.println("no engine named '" + wanted + "' is registered (see the lines above)");
            System.exit(2);
        }
        System.exit(ok ? 0 : 3);
    }
}
