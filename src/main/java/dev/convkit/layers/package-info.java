/**
 * Keras-style layers of the functional API: each holds its configuration, checks its input count and ranks,
 * declares its parameters with their kinds, initialisers and l2 coefficients, and lowers itself to ops of
 * {@link dev.convkit.ops}. The lowering is the only shape rule: applying a layer runs it on shapes alone, so the ops'
 * shape rules give the output shapes (errors name the layer and the shapes). Shapes exclude the batch
 * dimension and images are (C, H, W). Every layer takes an optional structural name ("stage2/block1/conv1") as
 * its first constructor argument; settings are fluent and frozen once the layer is applied.
 */
package dev.convkit.layers;
