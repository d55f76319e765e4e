package dev.convkit.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the convkit command line: exit code and everything written to stdout and stderr. */
record CliRun(int exit, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }

    /** For assertion messages. */
    String transcript() { return "exit " + exit + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err; }
}
