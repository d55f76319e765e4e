package dev.convkit.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Using it from Java" program, read from README.md itself, compiled with the JDK's compiler against
 * the test class path and run: the README cannot drift from the API. It trains the tiny CNN for one epoch on the 60,000
 * real MNIST digits in data/mnist (found through ./data, as the README says).
 */
class ReadmeExampleTest {
    @TempDir Path tmp;

    /** The first ```java block after the "## Using it from Java" heading. */
    static String snippet() throws IOException {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        int section = readme.indexOf("## Using it from Java");
        assertTrue(section >= 0, "README.md has no '## Using it from Java' section");
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertTrue(m.find(section), "no ```java block in the section");
        return m.group(1);
    }

    @Test
    void theReadmeProgramCompilesAndTrains() throws Exception {
        String source = snippet();
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(source);
        assertTrue(cls.find(), "the README program declares no public class");
        Path file = Files.writeString(tmp.resolve(cls.group(1) + ".java"), source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        boolean ok = javac.getTask(diagnostics, null, null, List.of("-classpath", System.getProperty("java.class.path"), "-d", tmp.toString(),
                "-Xlint:all", "-Werror"), null, javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8).getJavaFileObjects(file)).call();
        assertTrue(ok, "the README program does not compile:\n" + diagnostics);

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {tmp.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass(cls.group(1)).getMethod("main", String[].class);
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(stdout);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        stdout.print(out);
        // 64·1·3·3 + 64 conv, 13·13·64·10 + 10 dense
        assertTrue(out.contains("Total params: 108,810"), out);
        // Progress by default: Keras's epoch line.
        assertTrue(Pattern.compile("(?m)Epoch 1/1 - \\S+ - loss: \\d\\.\\d{4} - accuracy: \\d\\.\\d{4} - val_loss: ").matcher(out).find(), out);
        Matcher acc = Pattern.compile("test accuracy: (\\d\\.\\d{4})").matcher(out);
        assertTrue(acc.find(), out);
        // One epoch over 60,000 real digits: a working CNN is far above chance (0.1); measured ≈ 0.97.
        double a = Double.parseDouble(acc.group(1));
        assertTrue(a > 0.9, "test accuracy after one epoch: " + a);
        assertEquals(1, Pattern.compile("test accuracy").matcher(out).results().count());
    }
}
