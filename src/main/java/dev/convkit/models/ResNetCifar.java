package dev.convkit.models;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Initializer;
import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.Add;
import dev.convkit.layers.AveragePooling2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.Flatten;
import dev.convkit.layers.Padding;
import dev.convkit.tensor.Shape;

/**
 * The CIFAR ResNets of the Keras {@code cifar10_resnet.py} example, layer for layer (params.md has the counts).
 *
 * <p>Variant choices, as in that example:
 * <ul>
 *   <li>Every conv: 'same' padding (TF rule), bias, he_normal, l2(1e-4); BN eps 1e-3, momentum 0.99.</li>
 *   <li><b>v1</b> (depth 6n+2, He et al. 2015): stem conv3x3(16)-BN-ReLU; 3 stages of n basic blocks with 16/32/64
 *       filters, conv-BN-ReLU-conv-BN, the first block of stages 2 and 3 strides 2 on its first conv and projects
 *       the shortcut with a strided 1x1 conv (no BN, option B); add, then ReLU. Head: AvgPool 8, Flatten, Dense.</li>
 *   <li><b>v2</b> (depth 9n+2, pre-activation, He et al. 2016): stem conv3x3(16)-BN-ReLU; 3 stages of n bottleneck
 *       units BN-ReLU-1x1(f)-BN-ReLU-3x3(f)-BN-ReLU-1x1(4f or 2f) with f = 16/64/128 and outputs 64/128/256; the
 *       first unit of stage 1 skips its first BN-ReLU (the stem just did it); the first unit of each stage
 *       projects the shortcut with a 1x1 conv (stride 2 on stages 2 and 3, on the first 1x1 too); plain add.
 *       Head: BN-ReLU, AvgPool 8, Flatten, Dense.</li>
 *   <li>The Dense head uses he_normal and returns logits (Keras's softmax is folded into the loss).</li>
 * </ul>
 * Layer names: {@code stem/conv}, {@code stage2/block1/conv1}, {@code stage2/block1/shortcut},
 * {@code stage2/block1/add}, {@code head/dense}, ...
 */
public final class ResNetCifar {
    static final float L2 = 1e-4f;
    /** The example's conv: 'same', bias, he_normal, l2(1e-4); its BN: Keras defaults. */
    private static final Blocks.Conv CONV = new Blocks.Conv(Padding.SAME, true, Initializer.HE_NORMAL, L2);
    private static final Blocks.Norm NORM = Blocks.Norm.KERAS;

    private ResNetCifar() {}

    /** ResNet v1 of depth 6n+2 (20, 32, 44, 56, 110, ...) for a (C, H, W) input, named e.g. "resnet20v1". */
    public static Model v1(int depth, Shape input, int classes) {
        if (depth < 8 || (depth - 2) % 6 != 0) {
            throw new GraphException("resnet_v1 depth must be 6n+2 (20, 32, 44, 56, 110, ...), got " + depth);
        }
        int n = (depth - 2) / 6;
        SymbolicTensor image = ZooInputs.image(input);
        SymbolicTensor x = convUnit("stem", image, 16, 3, 1, true, true);
        int filters = 16;
        for (int stage = 1; stage <= 3; stage++) {
            for (int block = 1; block <= n; block++) {
                boolean downsample = stage > 1 && block == 1;
                x = v1Block("stage" + stage + "/block" + block, x, filters, downsample ? 2 : 1, downsample);
            }
            filters *= 2;
        }
        return new Model("resnet" + depth + "v1", image, head("head", x, classes, false));
    }

    /** ResNet v2 of depth 9n+2 (29, 56, 110, ...) for a (C, H, W) input, named e.g. "resnet29v2". */
    public static Model v2(int depth, Shape input, int classes) {
        if (depth < 11 || (depth - 2) % 9 != 0) {
            throw new GraphException("resnet_v2 depth must be 9n+2 (29, 56, 110, ...), got " + depth);
        }
        int n = (depth - 2) / 9;
        SymbolicTensor image = ZooInputs.image(input);
        SymbolicTensor x = convUnit("stem", image, 16, 3, 1, true, true);
        int inner = 16;
        for (int stage = 1; stage <= 3; stage++) {
            int out = stage == 1 ? inner * 4 : inner * 2;
            for (int block = 1; block <= n; block++) {
                boolean first = block == 1;
                int strides = stage > 1 && first ? 2 : 1;
                boolean preActivate = !(stage == 1 && first);
                x = v2Block("stage" + stage + "/block" + block, x, inner, out, strides, preActivate, first);
            }
            inner = out;
        }
        return new Model("resnet" + depth + "v2", image, head("head", x, classes, true));
    }

    /**
     * v1 basic block: conv3x3(strides)-BN-ReLU-conv3x3-BN, shortcut = input or a strided 1x1 conv projection,
     * then add and ReLU.
     */
    public static SymbolicTensor v1Block(String name, SymbolicTensor x, int filters, int strides, boolean project) {
        SymbolicTensor y = convUnit(name, "1", x, filters, 3, strides, true, true);
        y = convUnit(name, "2", y, filters, 3, 1, true, false);
        SymbolicTensor shortcut = project ? CONV.apply(name + "/shortcut", x, filters, 1, strides) : x;
        SymbolicTensor sum = new Add(name + "/add").apply(y, shortcut);
        return Activation.relu(name + "/relu").apply(sum);
    }

    /**
     * v2 pre-activation bottleneck: [BN-ReLU]-1x1(inner, strides)-BN-ReLU-3x3(inner)-BN-ReLU-1x1(out); shortcut =
     * input or a strided 1x1 conv projection of the input; plain add.
     */
    public static SymbolicTensor v2Block(String name, SymbolicTensor x, int inner, int out, int strides,
                                         boolean preActivate, boolean project) {
        SymbolicTensor y = preActivate ? NORM.bnRelu(name, "1", x) : x;
        y = CONV.apply(name + "/conv1", y, inner, 1, strides);
        y = CONV.apply(name + "/conv2", NORM.bnRelu(name, "2", y), inner, 3, 1);
        y = CONV.apply(name + "/conv3", NORM.bnRelu(name, "3", y), out, 1, 1);
        SymbolicTensor shortcut = project ? CONV.apply(name + "/shortcut", x, out, 1, strides) : x;
        return new Add(name + "/add").apply(y, shortcut);
    }

    /** Keras {@code resnet_layer} with conv_first: conv-[BN]-[ReLU] named {@code prefix/conv}, {@code prefix/bn}, ... */
    static SymbolicTensor convUnit(String prefix, SymbolicTensor x, int filters, int kernel, int strides,
                                   boolean bn, boolean relu) {
        return convUnit(prefix, "", x, filters, kernel, strides, bn, relu);
    }

    private static SymbolicTensor convUnit(String prefix, String suffix, SymbolicTensor x, int filters, int kernel,
                                           int strides, boolean bn, boolean relu) {
        SymbolicTensor y = CONV.apply(prefix + "/conv" + suffix, x, filters, kernel, strides);
        if (bn) y = NORM.bn(prefix + "/bn" + suffix, y);
        if (relu) y = Activation.relu(prefix + "/relu" + suffix).apply(y);
        return y;
    }

    /** [BN-ReLU]-AvgPool 8-Flatten-Dense(he_normal) → logits. */
    static SymbolicTensor head(String name, SymbolicTensor x, int classes, boolean preActivate) {
        if (preActivate) x = NORM.bnRelu(name, "", x);
        x = new AveragePooling2D(name + "/avg_pool", 8).apply(x);
        x = new Flatten(name + "/flatten").apply(x);
        return new Dense(name + "/dense", classes).kernelInitializer(Initializer.HE_NORMAL).apply(x);
    }
}
