package dev.convkit.cli;

import dev.convkit.tensor.Shape;

/**
 * Image shape and class count of each named dataset, for commands that build a model without loading data
 * ({@code summary --dataset}). Values as {@link dev.convkit.data.Datasets} documents them; {@code fit} takes them from
 * the loaded data instead.
 */
final class DatasetShapes {
    private DatasetShapes() {}

    /** (C, H, W) of one image. */
    static Shape image(String dataset) {
        return switch (Choices.dataset(dataset)) {
            case "mnist", "fashion_mnist" -> Shape.of(1, 28, 28);
            default -> Shape.of(3, 32, 32);
        };
    }

    static int classes(String dataset) {
        return Choices.dataset(dataset).equals("cifar100") ? 100 : 10;
    }
}
