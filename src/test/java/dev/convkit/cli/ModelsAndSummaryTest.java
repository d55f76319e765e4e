package dev.convkit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.models.ModelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convkit models} and {@code convkit summary}: symbolic only, no engine. */
class ModelsAndSummaryTest {
    @TempDir Path tmp;

    @Test void modelsListsEveryRegisteredModelWithItsParameterCount() {
        CliRun r = CliRun.of("models");
        assertEquals(0, r.exit(), r.transcript());
        List<String> lines = Arrays.asList(r.out().split("\n"));
        assertTrue(lines.get(0).startsWith("NAME "), r.out());
        assertEquals(ModelRegistry.names().size() + 1, lines.size(), "one line per model plus the header\n" + r.out());
        for (String name : ModelRegistry.names()) {
            String line = lines.stream().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow(() -> new AssertionError(name + " not listed\n" + r.out()));
            String params = String.format(java.util.Locale.ROOT, "%,d", ModelRegistry.create(name).totalParams());
            assertTrue(line.contains(" " + params + " "), name + " should show " + params + ": " + line);
            assertTrue(line.endsWith(ModelRegistry.entry(name).description()), line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.matches("resnet20v1\\s+\\(3, 32, 32\\)\\s+10\\s+274,442\\s+yes\\s+.*")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("y_network\\s+\\(1, 28, 28\\) x2\\s+10\\s+208,394\\s+yes\\s+.*")), r.out());
    }

    @Test void summaryOfResNet20PrintsTheKerasCounts() {
        CliRun r = CliRun.of("summary", "--model", "resnet20v1");
        assertEquals(0, r.exit(), r.transcript());
        assertTrue(r.out().contains("Total params: 274,442"), r.out());
        assertTrue(r.out().contains("Trainable params: 273,066"), r.out());
        assertTrue(r.out().contains("Non-trainable params: 1,376"), r.out());
    }

    @Test void summaryBuildsForADatasetOrAnExplicitShape() {
        CliRun c100 = CliRun.of("summary", "--model", "vgg16", "--dataset", "cifar100");
        assertTrue(c100.out().contains("Total params: 34,006,948"), c100.transcript());
        CliRun custom = CliRun.of("summary", "--model", "mnist_cnn", "--input", "1,28,28", "--classes", "5");
        // The dense layer shrinks from 576*10+10 to 576*5+5 parameters: 80,266 - 2,885.
        assertTrue(custom.out().contains("Total params: 77,381"), custom.transcript());
        CliRun deep = CliRun.of("summary", "--model", "resnet_v1", "--depth", "32");
        assertTrue(deep.out().contains("Total params: 470,218"), deep.transcript());
    }

    @Test void summaryWritesTheDiagramAsGraphvizSource() throws IOException {
        Path dot = tmp.resolve("r20.dot");
        CliRun r = CliRun.of("summary", "--model", "resnet20v1", "--diagram", dot.toString());
        assertEquals(0, r.exit(), r.transcript());
        String text = Files.readString(dot);
        assertTrue(text.startsWith("digraph \""), text.substring(0, 40));
        Matcher edges = Pattern.compile(" -> ").matcher(text);
        int n = 0;
        while (edges.find()) n++;
        // 21 weighted layers + BN/activation/add nodes: every node but the input has at least one incoming edge.
        assertTrue(n > 60, "expected the whole graph, found " + n + " edges");
        assertTrue(r.out().contains("diagram: " + dot), r.out());
    }

    @Test void summaryDrawsTheDiagramAsSvgAndPngWithoutGraphviz() throws Exception {
        Path svg = tmp.resolve("r20.svg");
        CliRun r = CliRun.of("summary", "--model", "resnet20v1", "--diagram", svg.toString());
        assertEquals(0, r.exit(), r.transcript());
        assertTrue(r.out().contains("Total params: 274,442"), r.out());
        assertTrue(r.out().endsWith("diagram: " + svg + System.lineSeparator()), r.out());
        org.w3c.dom.Document doc = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", doc.getDocumentElement().getTagName());
        // resnet20v1: 72 layers, 80 connections (9 of them residual shortcuts).
        assertEquals(72, count(Files.readString(svg), "<g class=\"box\""));
        assertEquals(80, count(Files.readString(svg), "<g class=\"edge\""));
        assertFalse(Files.exists(tmp.resolve("r20.dot")), "the java engine writes no Graphviz source");

        Path png = tmp.resolve("y.png");
        CliRun y = CliRun.of("summary", "--model", "y_network", "--diagram", png.toString(), "--diagram-engine", "JAVA");
        assertEquals(0, y.exit(), y.transcript());
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(png.toFile());
        assertTrue(img.getWidth() > 500 && img.getHeight() > 1500, img.getWidth() + " x " + img.getHeight());
    }

    @Test void diagramOptionsAreCheckedBeforeAnythingIsWritten() {
        Path pdf = tmp.resolve("r20.pdf");
        CliRun r = CliRun.of("summary", "--model", "resnet20v1", "--diagram", pdf.toString());
        assertEquals(ExitCodes.USAGE, r.exit(), r.transcript());
        assertEquals("", r.out(), "nothing printed before the error");
        assertTrue(r.err().contains("cannot draw --diagram " + pdf + ": format 'pdf' is not one of svg, png, dot "
                + "(Graphviz's other formats: add --diagram-engine dot)"), r.err());
        CliRun e = CliRun.of("summary", "--model", "resnet20v1", "--diagram", tmp.resolve("r.svg").toString(), "--diagram-engine", "neato");
        assertEquals(ExitCodes.USAGE, e.exit(), e.transcript());
        assertTrue(e.err().contains("unknown --diagram-engine 'neato'; valid engines: java, dot"), e.err());
        assertFalse(Files.exists(pdf) || Files.exists(tmp.resolve("r.svg")));
    }

    @Test void dotEngineWithoutGraphvizFailsNamingTheFix() throws IOException {
        boolean dotInstalled = java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "dot")));
        org.junit.jupiter.api.Assumptions.assumeFalse(dotInstalled, "Graphviz's dot is installed here; this checks the message without it");
        Path svg = tmp.resolve("r20.svg");
        CliRun r = CliRun.of("summary", "--model", "resnet20v1", "--diagram", svg.toString(), "--diagram-engine", "dot");
        assertEquals(ExitCodes.FAILURE, r.exit(), r.transcript());
        assertTrue(r.err().contains("could not run Graphviz's 'dot' program to render " + svg), r.err());
        assertTrue(r.err().contains("the DOT source is in " + tmp.resolve("r20.dot")), r.err());
        assertTrue(r.err().contains("Install the graphviz package, or leave out --diagram-engine dot to draw it without Graphviz"), r.err());
        assertTrue(Files.readString(tmp.resolve("r20.dot")).startsWith("digraph \"resnet20v1\""));
    }

    /**
     * ELK and the diagram code load only when a diagram is drawn: picocli reflects over every command at start-up, so
     * a diagram type in a command's fields or signatures would load on every run, fit included. A fresh JVM logs the
     * classes it loads for summary without and with --diagram.
     */
    @Test void diagramClassesLoadOnlyWhenADiagramIsDrawn() throws Exception {
        String without = loadedClasses("summary", "--model", "mnist_cnn");
        assertTrue(without.contains("dev.convkit.cli.SummaryCommand"), "the log lists ConvKit's classes");
        assertFalse(without.contains("org.eclipse.") || without.contains("dev.convkit.graph.diagram.") || without.contains("ModelDiagram"),
                "summary without --diagram loaded diagram classes");
        String with = loadedClasses("summary", "--model", "mnist_cnn", "--diagram", tmp.resolve("m.svg").toString());
        assertTrue(with.contains("org.eclipse.elk.alg.layered.") && with.contains("dev.convkit.graph.diagram.LayeredLayout"));
    }

    private static String loadedClasses(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true", "-Xlog:class+load=info", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out.length() > 4000 ? out.substring(out.length() - 4000) : out);
        return out;
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) n++;
        return n;
    }
}
