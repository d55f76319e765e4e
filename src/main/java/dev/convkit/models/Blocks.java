package dev.convkit.models;

import dev.convkit.graph.Initializer;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Padding;

/**
 * The conv and batch-norm settings a model family uses throughout, applied with structural names. Each family
 * states its choices once ({@code new Conv(Padding.SAME, true, Initializer.HE_NORMAL, 1e-4f)},
 * {@link Norm#KERAS}) and its blocks read as the paper's diagrams: {@code norm.bnRelu("stage1/block1", "1", x)}.
 */
final class Blocks {
    private Blocks() {}

    /**
     * A family's convolution: padding, bias, kernel initializer and kernel l2 (0 for none), square kernels.
     */
    record Conv(Padding padding, boolean bias, Initializer init, float l2) {
        /** The same convolution with another padding (ResNet-50's valid 7x7 stem and 1x1 convs). */
        Conv with(Padding p) { return new Conv(p, bias, init, l2); }

        /** A {@code kernel x kernel} conv of {@code filters} with {@code strides}, named {@code name}. */
        SymbolicTensor apply(String name, SymbolicTensor x, int filters, int kernel, int strides) {
            Conv2D c = new Conv2D(name, filters, kernel).strides(strides).padding(padding).useBias(bias).kernelInitializer(init);
            if (l2 > 0f) c.kernelRegularizerL2(l2);
            return c.apply(x);
        }
    }

    /** A family's batch normalization: epsilon and momentum. */
    record Norm(float epsilon, float momentum) {
        /** Keras's defaults: epsilon 1e-3, momentum 0.99. */
        static final Norm KERAS = new Norm(1e-3f, 0.99f);

        /** BatchNormalization named {@code name}. */
        SymbolicTensor bn(String name, SymbolicTensor x) {
            return new BatchNormalization(name).epsilon(epsilon).momentum(momentum).apply(x);
        }

        /** BN then ReLU, named {@code prefix/bn<suffix>} and {@code prefix/relu<suffix>}. */
        SymbolicTensor bnRelu(String prefix, String suffix, SymbolicTensor x) {
            return Activation.relu(prefix + "/relu" + suffix).apply(bn(prefix + "/bn" + suffix, x));
        }
    }
}
