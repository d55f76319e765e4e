package dev.convkit.backend.dnnl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** How much host memory is free, for out-of-memory messages. */
final class HostMemory {
    private HostMemory() {}

    /** "N bytes available" from /proc/meminfo's MemAvailable, or a note that it is unknown on this system. */
    static String describeAvailable() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/meminfo"));
            for (String line : lines) {
                if (line.startsWith("MemAvailable:")) {
                    String[] parts = line.trim().split("\\s+");
                    long kib = Long.parseLong(parts[1]);
                    return (kib * 1024) + " bytes available";
                }
            }
        } catch (IOException | RuntimeException e) {
            return "available bytes unknown (" + e.getMessage() + ")";
        }
        return "available bytes unknown (no MemAvailable in /proc/meminfo)";
    }
}
