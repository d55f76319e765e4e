package dev.convkit.backend.dnnl;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Host memory the cpu engine can still take: Linux's MemAvailable (free memory plus what the kernel can reclaim
 * without swapping), capped by the cgroup v2 limit of this process's container when one is set. Elsewhere the JVM's
 * view of free physical memory. Arenas are allocated with malloc and the kernel overcommits, so an arena larger than
 * this would not fail at allocation but kill the process when touched; checking the plan against it first turns
 * that crash into a message.
 */
final class HostMemory {
    private HostMemory() {}

    /** Bytes available, or -1 when no source answers. */
    static long available() {
        long avail = meminfoAvailable();
        long cgroup = cgroupRoom();
        if (avail < 0) avail = jvmFreePhysical();
        if (cgroup >= 0 && (avail < 0 || cgroup < avail)) avail = cgroup;
        return avail;
    }

    /** "N bytes available" for out-of-memory messages, or a note that it is unknown on this system. */
    static String describeAvailable() {
        long a = available();
        return a < 0 ? "available bytes unknown (no /proc/meminfo, cgroup or JVM figure)" : a + " bytes available";
    }

    private static long meminfoAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** memory.max − memory.current of this process's cgroup (v2), or -1 without a limit. */
    private static long cgroupRoom() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/self/cgroup"));
            for (String l : lines) {
                if (!l.startsWith("0::")) continue;
                Path dir = Path.of("/sys/fs/cgroup" + l.substring(3));
                String max = Files.readString(dir.resolve("memory.max")).trim();
                if (max.equals("max")) return -1;
                long current = Long.parseLong(Files.readString(dir.resolve("memory.current")).trim());
                return Math.max(0, Long.parseLong(max) - current);
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static long jvmFreePhysical() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) return os.getFreeMemorySize();
        return -1;
    }
}
