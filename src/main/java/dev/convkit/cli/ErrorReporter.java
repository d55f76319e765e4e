package dev.convkit.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every failure into one paragraph on stderr and an exit code, never a bare stack trace (unless
 * {@code --verbose} asks for it). Bad command lines ({@link ParameterException}, {@link CliException#usage}) exit with
 * {@link ExitCodes#USAGE} and point at {@code --help}; failures while running exit with {@link ExitCodes#FAILURE}.
 * The libraries below the command line already write specific messages (which file is missing, which names are
 * valid), so the message of the exception, and of its causes when they add something, is what the user sees.
 */
final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {

    @Override public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Run '" + cmd.getCommandSpec().qualifiedName() + " --help' for the options.");
        if (verbose(args)) ex.printStackTrace(err);
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        int code;
        if (ex instanceof CliException c) {
            err.println(name + ": " + c.getMessage());
            if (c.exitCode() == ExitCodes.USAGE) err.println("Run '" + name + " --help' for the options.");
            code = c.exitCode();
        } else {
            err.println(name + ": " + describe(ex));
            code = ExitCodes.FAILURE;
        }
        if (verbose(parsed.originalArgs().toArray(new String[0]))) ex.printStackTrace(err);
        else if (!(ex instanceof CliException) && isInternal(ex)) err.println("This looks like a bug in ConvKit; run again with --verbose for the stack trace.");
        err.flush();
        return code;
    }

    /**
     * The exception's message followed by its causes' messages when they say something new; an exception without
     * a message is named by its class.
     */
    static String describe(Throwable ex) {
        StringBuilder sb = new StringBuilder(text(ex));
        Throwable c = ex.getCause();
        int depth = 0;
        while (c != null && c != ex && depth++ < 5) {
            String t = text(c);
            if (!sb.toString().contains(t)) sb.append(" (caused by: ").append(t).append(')');
            c = c.getCause();
        }
        return sb.toString();
    }

    private static String text(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /** Exceptions that signal a programming error rather than bad input or a failed resource. */
    private static boolean isInternal(Throwable ex) {
        return ex instanceof NullPointerException || ex instanceof ClassCastException || ex instanceof IndexOutOfBoundsException
                || ex instanceof ArithmeticException || ex instanceof UnsupportedOperationException;
    }

    private static boolean verbose(String[] args) {
        for (String a : args) if (a.equals("--verbose") || a.equals("-v")) return true;
        return false;
    }
}
