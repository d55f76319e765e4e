package dev.convkit.cli;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Model;
import dev.convkit.models.ModelConfig;
import dev.convkit.models.ModelRegistry;

/** Builds zoo models for the commands, turning a shape the model cannot take into a usage error. */
final class Models {
    private Models() {}

    static Model build(String name, ModelConfig config) {
        Choices.model(name);
        try {
            return ModelRegistry.create(name, config);
        } catch (GraphException e) {
            throw CliException.usage("cannot build model '" + name + "' with " + config + ": " + e.getMessage());
        }
    }
}
