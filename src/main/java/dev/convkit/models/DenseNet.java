package dev.convkit.models;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Initializer;
import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.AveragePooling2D;
import dev.convkit.layers.Concatenate;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.GlobalAveragePooling2D;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.layers.Padding;
import dev.convkit.layers.ZeroPadding2D;
import dev.convkit.tensor.Shape;

/**
 * DenseNets (Huang et al. 2017) in two Keras variants.
 *
 * <p><b>DenseNet-BC for CIFAR</b> ({@link #bc}), as the Keras DenseNet example the reference reproduces: depth
 * 6n+4 gives 3 dense blocks of n bottleneck layers, growth rate k, compression θ = 0.5.
 * <ul>
 *   <li>Stem: BN-ReLU-conv3x3(2k), and the input image is concatenated in front of it (3 + 2k channels).</li>
 *   <li>Bottleneck layer: BN-ReLU-conv1x1(4k)-BN-ReLU-conv3x3(k), concatenated after its input.</li>
 *   <li>Transition: BN-conv1x1-AvgPool 2 with no ReLU (as the Keras code); its filter count is
 *       ⌊θ·(f + n·k)⌋ where f, like in the Keras code, tracks the previous transition's filters and ignores the 3
 *       image channels (24 → 108 → 150 for k = 12).</li>
 *   <li>Head: AvgPool 8, Flatten, Dense, logits. Convs: bias, he_normal, 'same'; BN eps 1e-3, momentum 0.99. The
 *       example's Dropout(0.2) is omitted, as in the reference.</li>
 * </ul>
 *
 * <p><b>DenseNet-121 for ImageNet-size inputs</b> ({@link #densenet121}), as keras.applications: ZeroPadding 3,
 * conv7x7/2(64)-BN-ReLU, ZeroPadding 1, max-pool 3x3/2; dense blocks of 6-12-24-16 bottleneck layers with k = 32;
 * transitions BN-ReLU-conv1x1(⌊C/2⌋)-AvgPool 2; final BN-ReLU, global average pool, Dense. Convs bias-free
 * (glorot_uniform), BN epsilon 1.001e-5.
 *
 * <p>Layer names: {@code stem/conv}, {@code block2/layer5/conv1}, {@code block2/layer5/concat},
 * {@code transition1/conv}, {@code head/dense}, ...
 */
public final class DenseNet {
    private DenseNet() {}

    /** DenseNet-BC of depth 6n+4 and growth rate k for a CIFAR-size input, named e.g. "densenet_bc_100_k12". */
    public static Model bc(int depth, int growth, Shape input, int classes) {
        if (depth < 10 || (depth - 4) % 6 != 0) {
            throw new GraphException("densenet_bc depth must be 6n+4 (40, 100, 190, ...), got " + depth);
        }
        if (growth < 1) throw new GraphException("densenet_bc growth rate must be >= 1, got " + growth);
        int n = (depth - 4) / 6;
        SymbolicTensor image = ZooInputs.image(input);
        int filters = 2 * growth;
        SymbolicTensor y = Blocks.Norm.KERAS.bnRelu("stem", "", image);
        y = conv(true, Initializer.HE_NORMAL).apply("stem/conv", y, filters, 3, 1);
        SymbolicTensor x = new Concatenate("stem/concat").apply(image, y);
        for (int b = 1; b <= 3; b++) {
            x = denseBlock("block" + b, x, n, growth, true, Initializer.HE_NORMAL, 1e-3f);
            if (b == 3) break;
            filters = (int) ((filters + n * growth) * 0.5);
            x = transition("transition" + b, x, filters, false, true, Initializer.HE_NORMAL, 1e-3f);
        }
        x = new AveragePooling2D("head/avg_pool", 8).apply(x);
        x = new Flatten("head/flatten").apply(x);
        SymbolicTensor logits = new Dense("head/dense", classes).kernelInitializer(Initializer.HE_NORMAL).apply(x);
        return new Model("densenet_bc_" + depth + "_k" + growth, image, logits);
    }

    /** keras.applications DenseNet-121 (k = 32, blocks 6-12-24-16), named "densenet121". */
    public static Model densenet121(Shape input, int classes) {
        ZooInputs.requireAtLeast("densenet121", input, 32);
        float eps = 1.001e-5f;
        SymbolicTensor image = ZooInputs.image(input);
        SymbolicTensor x = new ZeroPadding2D("stem/pad", 3).apply(image);
        x = new Conv2D("stem/conv", 64, 7).strides(2).useBias(false).apply(x);
        x = norm(eps).bnRelu("stem", "", x);
        x = new ZeroPadding2D("stem/pool_pad", 1).apply(x);
        x = new MaxPooling2D("stem/pool", 3).strides(2).apply(x);
        int[] blocks = {6, 12, 24, 16};
        for (int b = 1; b <= blocks.length; b++) {
            x = denseBlock("block" + b, x, blocks[b - 1], 32, false, Initializer.GLOROT_UNIFORM, eps);
            if (b == blocks.length) break;
            x = transition("transition" + b, x, x.shape().dim(0) / 2, true, false, Initializer.GLOROT_UNIFORM, eps);
        }
        x = norm(eps).bnRelu("head", "", x);
        x = new GlobalAveragePooling2D("head/avg_pool").apply(x);
        return new Model("densenet121", image, new Dense("head/dense", classes).apply(x));
    }

    /** {@code layers} bottleneck layers, each adding {@code growth} channels by concatenation. */
    public static SymbolicTensor denseBlock(String name, SymbolicTensor x, int layers, int growth, boolean bias,
                                            Initializer init, float bnEpsilon) {
        Blocks.Conv conv = conv(bias, init);
        Blocks.Norm norm = norm(bnEpsilon);
        for (int i = 1; i <= layers; i++) {
            String p = name + "/layer" + i;
            SymbolicTensor y = conv.apply(p + "/conv1", norm.bnRelu(p, "1", x), 4 * growth, 1, 1);
            y = conv.apply(p + "/conv2", norm.bnRelu(p, "2", y), growth, 3, 1);
            x = new Concatenate(p + "/concat").apply(x, y);
        }
        return x;
    }

    /** BN-[ReLU]-conv1x1(filters)-AvgPool 2. */
    public static SymbolicTensor transition(String name, SymbolicTensor x, int filters, boolean relu, boolean bias,
                                            Initializer init, float bnEpsilon) {
        SymbolicTensor y = norm(bnEpsilon).bn(name + "/bn", x);
        if (relu) y = Activation.relu(name + "/relu").apply(y);
        y = conv(bias, init).apply(name + "/conv", y, filters, 1, 1);
        return new AveragePooling2D(name + "/pool", 2).apply(y);
    }

    /** DenseNet's convs: 'same', stride 1, no l2. */
    private static Blocks.Conv conv(boolean bias, Initializer init) { return new Blocks.Conv(Padding.SAME, bias, init, 0f); }

    /** Keras's BN momentum 0.99 with the variant's epsilon. */
    private static Blocks.Norm norm(float epsilon) { return new Blocks.Norm(epsilon, Blocks.Norm.KERAS.momentum()); }
}
