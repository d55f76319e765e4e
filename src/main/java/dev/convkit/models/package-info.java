/**
 * The model zoo: one file per family, blocks as static methods on symbolic tensors with structural layer names,
 * and {@link dev.convkit.models.ModelRegistry} to create any of them by name. Every model returns logits; the
 * softmax is folded into the loss. Each family's javadoc records its variant choices.
 */
package dev.convkit.models;
