package dev.convkit.bench;

import dev.convkit.backend.Availability;
import dev.convkit.bench.steps.ProcStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** What a result was measured on: date, CPU, cores, load, JDK, engines (oneDNN version and ISA) and torch. */
public final class Machine {
    private Machine() {}

    /** @param python the interpreter whose torch is the reference, or null to leave torch out */
    public static Map<String, Object> describe(String python, String torchBlas) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("date", LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString());
        m.put("cpu", cpuModel());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("loadavg_1min", ProcStats.loadAverage());
        m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        Map<String, Object> engines = new LinkedHashMap<>();
        for (Map.Entry<String, Availability> e : Engines.all().entrySet()) {
            engines.put(e.getKey(), (e.getValue().available() ? "available: " : "unavailable: ") + e.getValue().reason());
        }
        m.put("engines", engines);
        if (python != null) {
            m.put("torch", torchVersion(python));
            m.put("torch_blas", torchBlas);
        }
        return m;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
            }
        } catch (IOException e) {
            return System.getProperty("os.arch");
        }
        return System.getProperty("os.arch");
    }

    /** "1.13.0a0 (oneDNN v2.6.3)" from the reference interpreter, or why it could not be asked. */
    static String torchVersion(String python) {
        String script = "import torch\nd=[l.strip(' -') for l in torch.__config__.show().splitlines() if 'DNN' in l]\n"
                + "print(torch.__version__ + (' (' + d[0] + ')' if d else ''))";
        try {
            Process p = new ProcessBuilder(List.of(python, "-c", script)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) return "unknown (" + python + " failed: " + out + ")";
            return out;
        } catch (IOException e) {
            return "unknown (cannot run " + python + ": " + e.getMessage() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown (interrupted)";
        }
    }
}
