package dev.convkit.models;

import dev.convkit.graph.GraphException;
import dev.convkit.graph.Initializer;
import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.Add;
import dev.convkit.layers.Dense;
import dev.convkit.layers.GlobalAveragePooling2D;
import dev.convkit.layers.MaxPooling2D;
import dev.convkit.layers.Padding;
import dev.convkit.layers.ZeroPadding2D;
import dev.convkit.tensor.Shape;
import java.util.Arrays;

/**
 * The ImageNet ResNets (He et al. 2015) as one builder, {@link #imagenet}, over a block kind and the block count of
 * each of the four stages; ResNet-18/34 use {@link Block#BASIC} blocks, ResNet-50/101/152 {@link Block#BOTTLENECK}
 * blocks, as torchvision and keras.applications. ResNet-50 is the TensorFlow model-garden Keras builder (the
 * reference's {@code resnet50_cifar100}). Any (C, H, W) input and class count: 32x32 gives stages of 8, 4, 2 and
 * 1 pixels; smaller inputs still build, the 'same' padding keeping every stage at least 1x1.
 *
 * <p>Variant choices:
 * <ul>
 *   <li>Stem: ZeroPadding 3, conv 7x7/2 (valid, 64), BN, ReLU, max-pool 3x3/2 with TF 'same' padding.</li>
 *   <li>Stage s has 64·2^(s−1) filters (f); a basic block is 3x3(f, strides)-BN-ReLU-3x3(f)-BN, a bottleneck
 *       1x1(f)-BN-ReLU-3x3(f, strides)-BN-ReLU-1x1(4f)-BN: the stride sits on the 3x3 conv ("v1.5"). The first
 *       block of stages 2-4 strides 2. The shortcut is projected by a strided 1x1 conv + BN wherever the stride
 *       or the channel count changes (torchvision's rule: every first block but ResNet-18/34's stage 1); add, then
 *       ReLU.</li>
 *   <li>Every conv is bias-free with he_normal; 3x3 convs 'same', 1x1 convs valid; BN epsilon 1e-5, momentum 0.9
 *       (model-garden values).</li>
 *   <li>Head: global average pool, Dense drawn from Normal(0, 0.01) as the reference
 *       ({@link Initializer#RANDOM_NORMAL_SMALL}), logits.</li>
 * </ul>
 * With 1000 classes the trainable counts are torchvision's: 11,689,512 (18), 21,797,672 (34), 25,557,032 (50),
 * 44,549,160 (101), 60,192,808 (152). Layer names: {@code stem/conv}, {@code stage3/block2/conv2},
 * {@code stage1/block1/shortcut/bn}, {@code head/dense}, ...
 */
public final class ResNet {
    private static final Blocks.Conv CONV = new Blocks.Conv(Padding.SAME, false, Initializer.HE_NORMAL, 0f);
    private static final Blocks.Conv CONV_VALID = CONV.with(Padding.VALID);
    private static final Blocks.Norm NORM = new Blocks.Norm(1e-5f, 0.9f);

    private ResNet() {}

    /** The residual block of a stage: its output has {@code expansion}·f channels. */
    public enum Block {
        BASIC(1, 2), BOTTLENECK(4, 3);

        final int expansion, convs;

        Block(int expansion, int convs) {
            this.expansion = expansion;
            this.convs = convs;
        }
    }

    public static Model resnet18(Shape input, int classes) { return imagenet(Block.BASIC, new int[] {2, 2, 2, 2}, input, classes); }

    public static Model resnet34(Shape input, int classes) { return imagenet(Block.BASIC, new int[] {3, 4, 6, 3}, input, classes); }

    public static Model resnet50(Shape input, int classes) { return imagenet(Block.BOTTLENECK, new int[] {3, 4, 6, 3}, input, classes); }

    public static Model resnet101(Shape input, int classes) { return imagenet(Block.BOTTLENECK, new int[] {3, 4, 23, 3}, input, classes); }

    public static Model resnet152(Shape input, int classes) { return imagenet(Block.BOTTLENECK, new int[] {3, 8, 36, 3}, input, classes); }

    /**
     * A ResNet of four stages of {@code layers[s]} blocks each, named "resnet&lt;depth&gt;" with depth = convs per
     * block × Σ layers + 2 (the stem conv and the dense head): {@code imagenet(BOTTLENECK, {3, 4, 6, 3}, ...)} is
     * "resnet50".
     */
    public static Model imagenet(Block block, int[] layers, Shape input, int classes) {
        if (layers.length != 4 || Arrays.stream(layers).anyMatch(n -> n < 1)) {
            throw new GraphException("an ImageNet ResNet needs 4 stages of at least 1 block each, got " + Arrays.toString(layers));
        }
        SymbolicTensor image = ZooInputs.image(input);
        SymbolicTensor x = new ZeroPadding2D("stem/pad", 3).apply(image);
        x = CONV_VALID.apply("stem/conv", x, 64, 7, 2);
        x = NORM.bnRelu("stem", "", x);
        x = new MaxPooling2D("stem/pool", 3).strides(2).padding(Padding.SAME).apply(x);
        int filters = 64;
        for (int stage = 1; stage <= layers.length; stage++) {
            for (int b = 1; b <= layers[stage - 1]; b++) {
                int strides = stage > 1 && b == 1 ? 2 : 1;
                boolean project = strides != 1 || x.shape().dim(0) != block.expansion * filters;
                String name = "stage" + stage + "/block" + b;
                x = block == Block.BASIC ? basicBlock(name, x, filters, strides, project)
                        : bottleneck(name, x, filters, strides, project);
            }
            filters *= 2;
        }
        x = new GlobalAveragePooling2D("head/avg_pool").apply(x);
        SymbolicTensor logits = new Dense("head/dense", classes).kernelInitializer(Initializer.RANDOM_NORMAL_SMALL).apply(x);
        int depth = block.convs * Arrays.stream(layers).sum() + 2;
        return new Model("resnet" + depth, image, logits);
    }

    /** Basic block 3x3(f, strides)-BN-ReLU-3x3(f)-BN; shortcut = input or 1x1(f, strides)-BN; add, then ReLU. */
    public static SymbolicTensor basicBlock(String name, SymbolicTensor x, int filters, int strides, boolean project) {
        SymbolicTensor y = NORM.bnRelu(name, "1", CONV.apply(name + "/conv1", x, filters, 3, strides));
        y = NORM.bn(name + "/bn2", CONV.apply(name + "/conv2", y, filters, 3, 1));
        return addRelu(name, x, y, filters, strides, project);
    }

    /**
     * Bottleneck 1x1(f)-BN-ReLU-3x3(f, strides)-BN-ReLU-1x1(4f)-BN; shortcut = input or 1x1(4f, strides)-BN;
     * add, then ReLU.
     */
    public static SymbolicTensor bottleneck(String name, SymbolicTensor x, int filters, int strides, boolean project) {
        SymbolicTensor y = NORM.bnRelu(name, "1", CONV_VALID.apply(name + "/conv1", x, filters, 1, 1));
        y = NORM.bnRelu(name, "2", CONV.apply(name + "/conv2", y, filters, 3, strides));
        y = NORM.bn(name + "/bn3", CONV_VALID.apply(name + "/conv3", y, 4 * filters, 1, 1));
        return addRelu(name, x, y, 4 * filters, strides, project);
    }

    private static SymbolicTensor addRelu(String name, SymbolicTensor x, SymbolicTensor y, int out, int strides, boolean project) {
        SymbolicTensor shortcut = project
                ? NORM.bn(name + "/shortcut/bn", CONV_VALID.apply(name + "/shortcut/conv", x, out, 1, strides)) : x;
        SymbolicTensor sum = new Add(name + "/add").apply(y, shortcut);
        return Activation.relu(name + "/relu").apply(sum);
    }
}
