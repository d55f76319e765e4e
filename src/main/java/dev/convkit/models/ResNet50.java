package dev.convkit.models;

import dev.convkit.graph.Initializer;
import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.Add;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.GlobalAveragePooling2D;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.layers.Padding;
import dev.convkit.layers.ZeroPadding2D;
import dev.convkit.tensor.Shape;

/**
 * ResNet-50 as the TensorFlow model-garden Keras builder (the reference's {@code resnet50_cifar100}), for any
 * (C, H, W) input and any class count: 32x32 gives stages of 8, 4, 2 and 1 pixels; smaller inputs still build,
 * the 'same' padding keeping every stage at least 1x1.
 *
 * <p>Variant choices:
 * <ul>
 *   <li>Stem: ZeroPadding 3, conv 7x7/2 (valid, 64), BN, ReLU, max-pool 3x3/2 with TF 'same' padding.</li>
 *   <li>Bottleneck stages of 3-4-6-3 blocks with (64, 64, 256) ... (512, 512, 2048) filters; the stride sits on
 *       the 3x3 conv ("v1.5"); the first block of each stage projects the shortcut with a strided 1x1 conv + BN;
 *       add, then ReLU.</li>
 *   <li>Every conv is bias-free with he_normal; BN epsilon 1e-5, momentum 0.9 (model-garden values).</li>
 *   <li>Head: global average pool, Dense drawn from Normal(0, 0.01) as the reference
 *       ({@link Initializer#RANDOM_NORMAL_SMALL}), logits.</li>
 * </ul>
 * With 1000 classes the trainable count is torchvision's 25,557,032. Layer names: {@code stem/conv},
 * {@code stage3/block2/conv2}, {@code stage1/block1/shortcut/bn}, {@code head/dense}, ...
 */
public final class ResNet50 {
    private static final int[] BLOCKS = {3, 4, 6, 3};
    private static final float BN_EPSILON = 1e-5f, BN_MOMENTUM = 0.9f;

    private ResNet50() {}

    public static Model build(Shape input, int classes) {
        SymbolicTensor image = ZooInputs.image(input);
        SymbolicTensor x = new ZeroPadding2D("stem/pad", 3).apply(image);
        x = conv("stem/conv", x, 64, 7, 2, Padding.VALID);
        x = bnRelu("stem", "", x);
        x = new MaxPooling2D("stem/pool", 3).strides(2).padding(Padding.SAME).apply(x);
        int filters = 64;
        for (int stage = 1; stage <= BLOCKS.length; stage++) {
            for (int block = 1; block <= BLOCKS[stage - 1]; block++) {
                int strides = stage > 1 && block == 1 ? 2 : 1;
                x = bottleneck("stage" + stage + "/block" + block, x, filters, strides, block == 1);
            }
            filters *= 2;
        }
        x = new GlobalAveragePooling2D("head/avg_pool").apply(x);
        SymbolicTensor logits = new Dense("head/dense", classes).kernelInitializer(Initializer.RANDOM_NORMAL_SMALL).apply(x);
        return new Model("resnet50", image, logits);
    }

    /**
     * Bottleneck 1x1(f)-BN-ReLU-3x3(f, strides)-BN-ReLU-1x1(4f)-BN; shortcut = input or 1x1(4f, strides)-BN;
     * add, then ReLU.
     */
    public static SymbolicTensor bottleneck(String name, SymbolicTensor x, int filters, int strides, boolean project) {
        SymbolicTensor y = bnRelu(name, "1", conv(name + "/conv1", x, filters, 1, 1, Padding.VALID));
        y = bnRelu(name, "2", conv(name + "/conv2", y, filters, 3, strides, Padding.SAME));
        y = bn(name + "/bn3", conv(name + "/conv3", y, 4 * filters, 1, 1, Padding.VALID));
        SymbolicTensor shortcut = x;
        if (project) {
            shortcut = bn(name + "/shortcut/bn", conv(name + "/shortcut/conv", x, 4 * filters, 1, strides, Padding.VALID));
        }
        SymbolicTensor sum = new Add(name + "/add").apply(y, shortcut);
        return Activation.relu(name + "/relu").apply(sum);
    }

    private static SymbolicTensor conv(String name, SymbolicTensor x, int filters, int kernel, int strides, Padding p) {
        return new Conv2D(name, filters, kernel).strides(strides).padding(p).useBias(false)
                .kernelInitializer(Initializer.HE_NORMAL).apply(x);
    }

    private static SymbolicTensor bn(String name, SymbolicTensor x) {
        return new BatchNormalization(name).epsilon(BN_EPSILON).momentum(BN_MOMENTUM).apply(x);
    }

    private static SymbolicTensor bnRelu(String prefix, String suffix, SymbolicTensor x) {
        return Activation.relu(prefix + "/relu" + suffix).apply(bn(prefix + "/bn" + suffix, x));
    }
}
