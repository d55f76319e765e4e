package dev.convkit.bench.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checked-in shape lists parse, and are exactly what the model zoo lowers to today. */
class ShapeListsTest {
    private static final Path DIR = Path.of("..", "models", "shapes");

    @Test
    void checkedInListsMatchTheZoo() throws IOException {
        Map<String, String> generated = ShapeExtractor.generate();
        for (Map.Entry<String, String> f : generated.entrySet()) {
            Path p = DIR.resolve(f.getKey());
            assertTrue(Files.exists(p), p + " is missing; run ShapeExtractor --dir models/shapes");
            assertEquals(f.getValue(), Files.readString(p), p + " is out of date with the zoo; run ShapeExtractor --dir models/shapes");
        }
        assertEquals(generated.size(), ShapeLists.models(DIR).stream()
                .mapToLong(m -> List.of("conv", "bnorm", "pool", "ip").stream()
                        .filter(d -> Files.exists(DIR.resolve(d + "_" + m + ".txt"))).count()).sum());
    }

    @Test
    void everyLineParsesWithItsDriver() {
        List<String> models = ShapeLists.models(DIR);
        assertEquals(List.of("densenet_bc_100_k12", "mnist_cnn", "resnet20v1", "resnet50_cifar100", "resnet56v1", "vgg16_cifar100"), models);
        List<String> conv = ShapeLists.lines(DIR, ShapeLists.Driver.CONV, List.of("resnet20v1"));
        assertEquals(8, conv.size());
        // ResNet20v1 runs 21 convolutions (stem, 9 blocks of 2, two 1x1 projection shortcuts); the xN counts add up to that.
        assertEquals(21, conv.stream().mapToInt(l -> {
            String name = ConvShape.parse(l).name();
            int x = name.lastIndexOf(" x");
            return x < 0 ? 1 : Integer.parseInt(name.substring(x + 2));
        }).sum());
        for (ShapeLists.Driver d : ShapeLists.Driver.values()) assertTrue(!ShapeLists.lines(DIR, d, models).isEmpty(), d.toString());
    }
}
