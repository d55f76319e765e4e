package dev.convkit.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Cost of JSON at first use, for bench/RESULTS.md: in a fresh JVM, the time of the first {@link Json#parseObject} on a
 * recipe (class loading and initialisation of the codec included) and of a second one on the same text. The file is
 * read before the clock starts. Prints one line: {@code first_ms=… second_ms=… members=…}.
 *
 * <pre>java -cp target/test-classes:target/classes:GSON_JAR dev.convkit.io.JsonFirstUseTiming models/resnet20v1.json</pre>
 */
public final class JsonFirstUseTiming {
    private JsonFirstUseTiming() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 1) throw new IllegalArgumentException("usage: JsonFirstUseTiming RECIPE.json");
        String text = Files.readString(Path.of(args[0]));
        long t0 = System.nanoTime();
        Map<String, Object> first = Json.parseObject(text);
        long t1 = System.nanoTime();
        Map<String, Object> second = Json.parseObject(text);
        long t2 = System.nanoTime();
        if (!first.equals(second)) throw new IllegalStateException("two parses of " + args[0] + " differ");
        System.out.printf("first_ms=%.2f second_ms=%.3f members=%d%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6, first.size());
    }
}
