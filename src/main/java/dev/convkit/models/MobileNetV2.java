package dev.convkit.models;

import dev.convkit.graph.Model;
import dev.convkit.graph.SymbolicTensor;
import dev.convkit.layers.Activation;
import dev.convkit.layers.Add;
import dev.convkit.layers.BatchNormalization;
import dev.convkit.layers.Conv2D;
import dev.convkit.layers.Dense;
import dev.convkit.layers.DepthwiseConv2D;
import dev.convkit.layers.GlobalAveragePooling2D;
import dev.convkit.layers.Padding;
import dev.convkit.tensor.Shape;

/**
 * MobileNetV2 (Sandler et al. 2018) as keras.applications.MobileNetV2 with alpha 1.0: a 3x3 stride-2 stem of 32,
 * the inverted residual stages of the paper's table 2, a 1x1 conv to 1280, global average pool and a dense head.
 *
 * <p>Variant choices, as Keras:
 * <ul>
 *   <li>Inverted residual block: 1x1 expand to t·C_in (absent when t = 1), BN, ReLU6; 3x3 depthwise with the
 *       stride, BN, ReLU6; 1x1 linear projection to c, BN; add the input when the stride is 1 and c = C_in.</li>
 *   <li>Every conv is bias-free with Keras's default glorot_uniform; BN epsilon 1e-3, momentum 0.999; ReLU6 is
 *       Keras's {@code ReLU(max_value=6)}.</li>
 *   <li>Stride-2 depthwise convs use TF 'same' padding, which equals Keras's explicit {@code correct_pad} followed by
 *       'valid' for a 3x3 kernel (0 before and 1 after on even sizes, 1 and 1 on odd ones).</li>
 *   <li>Head: Dense to logits (Keras's softmax is folded into the loss).</li>
 * </ul>
 * With 1000 classes at 224x224: 3,538,984 parameters (3,504,872 trainable), keras.applications' count.
 *
 * <p>{@link #cifar}: the usual CIFAR adaptation (as in the common PyTorch CIFAR ports) keeps every layer and
 * replaces the two first strides by 1, the stem's and the first stride-2 stage's (t 6, c 24), so a 32x32 input keeps
 * 32x32 through the first stages and reaches the head at 4x4 (the ImageNet model would reach 1x1).
 *
 * <p>Layer names are Keras's: {@code Conv1}, {@code bn_Conv1}, {@code expanded_conv_depthwise},
 * {@code block_3_expand}, {@code block_3_depthwise_BN}, {@code block_3_project}, {@code block_3_add}, {@code Conv_1},
 * {@code predictions}, ...
 */
public final class MobileNetV2 {
    /** One row of the paper's table 2: expansion t, output channels c, repeats n, first stride s. */
    private record Stage(int t, int c, int n, int s) {}

    private static final Stage[] STAGES = {
            //        t    c   n  s
            new Stage(1,  16, 1, 1),
            new Stage(6,  24, 2, 2),
            new Stage(6,  32, 3, 2),
            new Stage(6,  64, 4, 2),
            new Stage(6,  96, 3, 1),
            new Stage(6, 160, 3, 2),
            new Stage(6, 320, 1, 1),
    };
    private static final int STEM_FILTERS = 32, LAST_FILTERS = 1280;
    private static final float BN_EPSILON = 1e-3f, BN_MOMENTUM = 0.999f;

    private MobileNetV2() {}

    /** keras.applications.MobileNetV2 (alpha 1.0) for ImageNet-size inputs. */
    public static Model imagenet(Shape input, int classes) {
        ZooInputs.requireAtLeast("mobilenet_v2", input, 32);
        return build("mobilenet_v2", input, classes, 2, 2);
    }

    /** The CIFAR adaptation: stem and the first stride-2 stage at stride 1 (see the class comment). */
    public static Model cifar(Shape input, int classes) {
        ZooInputs.requireAtLeast("mobilenet_v2_cifar", input, 8);
        return build("mobilenet_v2_cifar", input, classes, 1, 1);
    }

    private static Model build(String name, Shape input, int classes, int stemStride, int firstStageStride) {
        SymbolicTensor image = ZooInputs.image(input);
        SymbolicTensor x = new Conv2D("Conv1", STEM_FILTERS, 3).strides(stemStride).padding(Padding.SAME).useBias(false)
                .apply(image);
        x = relu6("Conv1_relu", bn("bn_Conv1", x));
        int block = 0;
        for (int i = 0; i < STAGES.length; i++) {
            Stage st = STAGES[i];
            int stride = i == 1 ? firstStageStride : st.s();
            for (int r = 0; r < st.n(); r++) x = invertedResidual(x, block++, st.t(), st.c(), r == 0 ? stride : 1);
        }
        x = new Conv2D("Conv_1", LAST_FILTERS, 1).useBias(false).apply(x);
        x = relu6("out_relu", bn("Conv_1_bn", x));
        x = new GlobalAveragePooling2D("global_average_pooling2d").apply(x);
        return new Model(name, image, new Dense("predictions", classes).apply(x));
    }

    /** Expand (1x1 to t·C_in, absent for t = 1) → depthwise 3x3 with the stride → linear 1x1 project; residual add. */
    private static SymbolicTensor invertedResidual(SymbolicTensor in, int id, int expansion, int filters, int stride) {
        int inChannels = in.shape().dim(0);
        String prefix = id == 0 ? "expanded_conv_" : "block_" + id + "_";
        SymbolicTensor x = in;
        if (expansion != 1) {
            x = new Conv2D(prefix + "expand", expansion * inChannels, 1).useBias(false).apply(x);
            x = relu6(prefix + "expand_relu", bn(prefix + "expand_BN", x));
        }
        x = new DepthwiseConv2D(prefix + "depthwise", 3).strides(stride).padding(Padding.SAME).useBias(false).apply(x);
        x = relu6(prefix + "depthwise_relu", bn(prefix + "depthwise_BN", x));
        x = new Conv2D(prefix + "project", filters, 1).useBias(false).apply(x);
        x = bn(prefix + "project_BN", x);
        if (stride == 1 && inChannels == filters) x = new Add(prefix + "add").apply(in, x);
        return x;
    }

    private static SymbolicTensor bn(String name, SymbolicTensor x) {
        return new BatchNormalization(name).epsilon(BN_EPSILON).momentum(BN_MOMENTUM).apply(x);
    }

    private static SymbolicTensor relu6(String name, SymbolicTensor x) { return new Activation(name, "relu6").apply(x); }
}
