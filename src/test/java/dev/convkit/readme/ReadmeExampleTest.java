package dev.convkit.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.backend.Backend;
import dev.convkit.backend.BackendOptions;
import dev.convkit.backend.Backends;
import dev.convkit.data.Dataset;
import dev.convkit.data.DatasetLocator;
import dev.convkit.data.Datasets;
import dev.convkit.data.Split;
import dev.convkit.graph.Input;
import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.train.History;
import dev.convkit.train.Optimizer;
import dev.convkit.train.Trainer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's "Using it from Java" example, on a slice of the shipped MNIST so it runs in seconds. */
class ReadmeExampleTest {

    @Test
    void readmeExampleTrains() {
        SymbolicTensor image = Input.of("image", 1, 28, 28);
        SymbolicTensor x = new Conv2D("conv1", 64, 3).activation("relu").apply(image);
        x = new MaxPooling2D("pool1", 2).apply(x);
        x = new Flatten("flatten").apply(x);
        SymbolicTensor logits = new Dense("logits", 10).apply(x);
        Model model = new Model("tiny", image, logits);
        // 64·1·3·3 + 64 conv, 13·13·64·10 + 10 dense
        assertEquals(640 + 108_170, model.totalParams());
        assertTrue(model.summary().contains("Total params: 108,810"), model.summary());

        DatasetLocator repoData = DatasetLocator.standard(Path.of("data")).offline();
        Dataset train = Datasets.load("mnist", Split.TRAIN, repoData, 2048);
        Dataset test = Datasets.load("mnist", Split.TEST, repoData, 512);
        try (Backend cpu = Backends.open("cpu", BackendOptions.defaults());
             Trainer trainer = Trainer.builder(model, cpu, Optimizer.adam()).build()) {
            History h = trainer.fit(train, test, 1, 64);
            double acc = h.last().get("val_accuracy");
            // One epoch over 2,048 real digits: a working CNN is far above chance (0.1); measured ≈ 0.9.
            assertTrue(acc > 0.75, "val_accuracy after one small epoch: " + acc);
        }
    }
}
