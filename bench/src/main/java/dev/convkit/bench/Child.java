package dev.convkit.bench;

import dev.convkit.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs a measuring child process (ours or bench.py's), optionally holding {@code flock LOCKFILE} for its whole run
 * as bench.py does, and returns the JSON of the last stdout line that starts with a marker ("RESULT ").
 */
public final class Child {
    private Child() {}

    /** What a child printed: its marked JSON and when (System.nanoTime) that line arrived, and the wall time. */
    public record Output(Map<String, Object> json, long lineNanos, long startNanos, long endNanos) {}

    /** The command that starts this JVM's java with this class path, running {@code mainClass}. */
    public static List<String> java(List<String> jvmOptions, String mainClass) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        return cmd;
    }

    /**
     * Runs {@code cmd} (behind {@code flock lock} when lock is not empty) with {@code env} changes (a null value
     * removes the variable); stderr goes to {@code stderrLog} when given, else is inherited.
     */
    public static Output run(List<String> cmd, String lock, Map<String, String> env, String marker, Path stderrLog) {
        List<String> full = new ArrayList<>();
        if (lock != null && !lock.isEmpty()) {
            full.add("flock");
            full.add(lock);
        }
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full);
        env.forEach((k, v) -> { if (v == null) pb.environment().remove(k); else pb.environment().put(k, v); });
        if (stderrLog != null) pb.redirectError(ProcessBuilder.Redirect.appendTo(stderrLog.toFile()));
        else pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        try {
            long start = System.nanoTime();
            Process p = pb.start();
            String found = null;
            long lineAt = 0;
            StringBuilder tail = new StringBuilder();
            try (var reader = p.inputReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (line.startsWith(marker)) {
                        found = line.substring(marker.length());
                        lineAt = System.nanoTime();
                    } else {
                        tail.append(line).append('\n');
                        if (tail.length() > 4000) tail.delete(0, tail.length() - 4000);
                    }
                }
            }
            int rc = p.waitFor();
            long end = System.nanoTime();
            if (rc != 0 || found == null) {
                String err = stderrLog != null && Files.exists(stderrLog) ? lastChars(Files.readString(stderrLog), 3000) : "";
                throw new IllegalStateException("child failed (exit " + rc + (found == null ? ", no '" + marker.strip()
                        + "' line" : "") + "): " + String.join(" ", full) + "\nstdout tail:\n" + tail + "stderr tail:\n" + err);
            }
            return new Output(Json.parseObject(found), lineAt, start, end);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", full), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + String.join(" ", full), e);
        }
    }

    private static String lastChars(String s, int n) { return s.length() <= n ? s : s.substring(s.length() - n); }
}
