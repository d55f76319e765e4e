package dev.convkit.bench.steps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Linux /proc readings, the same ones bench.py takes: resident memory of this process (VmHWM is its peak, as
 * {@code ru_maxrss}), machine-wide busy and steal CPU seconds from /proc/stat and this process's CPU seconds, so a
 * timed run can say how many cores other processes took from it.
 */
public final class ProcStats {
    /** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux this runs on. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {}

    /** A field of /proc/self/status in MiB ("VmHWM", "VmRSS"); NaN when absent (not Linux). */
    public static double statusMib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024.0;  // the kernel writes kB
                }
            }
            return Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** CPU counters at one instant, in seconds; wall is {@link System#nanoTime()} in seconds. */
    public record Cpu(double busy, double steal, double self, double wall) {
        /** Cores this process kept busy between {@code before} and this snapshot. */
        public double selfCores(Cpu before) { return (self - before.self) / (wall - before.wall); }

        /** Cores every other process used meanwhile (machine busy time minus ours). */
        public double otherCores(Cpu before) {
            return Math.max(0, (busy - before.busy) - (self - before.self)) / (wall - before.wall);
        }

        public double stealCores(Cpu before) { return (steal - before.steal) / (wall - before.wall); }
    }

    public static Cpu cpu() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long[] v = new long[f.length - 1];
            for (int i = 1; i < f.length; i++) v[i - 1] = Long.parseLong(f[i]);
            long idle = v[3] + v[4], steal = v.length > 7 ? v[7] : 0, total = 0;
            for (int i = 0; i < Math.min(8, v.length); i++) total += v[i];
            double self = selfCpuTicks() / TICKS_PER_SECOND;
            return new Cpu((total - idle - steal) / TICKS_PER_SECOND, steal / TICKS_PER_SECOND, self, System.nanoTime() / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/stat (the CPU load check needs Linux)", e);
        }
    }

    /** utime + stime of this process (all threads, the native OpenMP workers included) from /proc/self/stat. */
    private static long selfCpuTicks() throws IOException {
        String s = Files.readString(Path.of("/proc/self/stat"));
        // Fields after the command name in parentheses (which may hold spaces): state is field 3, utime 14, stime 15.
        String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split("\\s+");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /**
     * Milliseconds since this process started, from the kernel's own clock since boot: /proc/uptime minus the
     * start time in /proc/self/stat (both 10 ms resolution). Unlike {@link ProcessHandle.Info#startInstant()}, which
     * adds the boot time rounded to whole seconds, this is exact to a tick.
     */
    public static double millisSinceProcessStart() {
        try {
            double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0]);
            String s = Files.readString(Path.of("/proc/self/stat"));
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split("\\s+");
            long startTicks = Long.parseLong(f[19]);  // field 22, starttime
            return (uptime - startTicks / TICKS_PER_SECOND) * 1000.0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/uptime or /proc/self/stat (the start-up timer needs Linux)", e);
        }
    }

    /**
     * Waits until the machine is quiet: samples /proc/stat over 2 s windows until the cores busy in a window (every
     * process; this one is idle meanwhile) drop to {@code maxBusyCores}, or {@code maxWaitSeconds} have passed.
     * Returns the busy cores of the last window, so a caller can report a run that had to start on a busy machine.
     */
    public static double waitForQuiet(double maxBusyCores, double maxWaitSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + (long) (maxWaitSeconds * 1e9);
        while (true) {
            Cpu a = cpu();
            Thread.sleep(2000);
            Cpu b = cpu();
            double busy = (b.busy - a.busy) / (b.wall - a.wall);
            if (busy <= maxBusyCores || System.nanoTime() > deadline) return busy;
        }
    }

    /** The 1-minute load average. */
    public static double loadAverage() {
        try {
            List<String> l = Files.readAllLines(Path.of("/proc/loadavg"));
            return Double.parseDouble(l.get(0).split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
