package dev.convkit.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.convkit.graph.Model;
import dev.convkit.tensor.Shape;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exact Keras-style parameter counts (total / trainable / non-trainable = BN moving statistics). The CIFAR, MNIST
 * and 32x32 rows are the table of ../shared/anchors/pytorch/params.md (relative to the repo root; cross-checked
 * there against published Keras summaries); the ImageNet-size rows are the published keras.applications /
 * torchvision numbers.
 */
class ModelParamCountsTest {

    static Stream<Arguments> counts() {
        ModelConfig d = ModelConfig.defaults();
        return Stream.of(
                Arguments.of("resnet20v1", d, 274_442L, 273_066L, 1_376L, 10),
                Arguments.of("resnet32v1", d, 470_218L, 467_946L, 2_272L, 10),
                Arguments.of("resnet44v1", d, 665_994L, 662_826L, 3_168L, 10),
                Arguments.of("resnet56v1", d, 861_770L, 857_706L, 4_064L, 10),
                Arguments.of("resnet110v1", d, 1_742_762L, 1_734_666L, 8_096L, 10),
                Arguments.of("resnet29v2", d, 849_002L, 843_786L, 5_216L, 10),
                Arguments.of("resnet56v2", d, 1_673_738L, 1_663_338L, 10_400L, 10),
                Arguments.of("resnet110v2", d, 3_323_210L, 3_302_442L, 20_768L, 10),
                Arguments.of("resnet_v1", d.withDepth(56), 861_770L, 857_706L, 4_064L, 10),
                Arguments.of("resnet_v2", d.withDepth(56), 1_673_738L, 1_663_338L, 10_400L, 10),
                Arguments.of("densenet_bc_100_k12", d, 797_788L, 774_376L, 23_412L, 10),
                Arguments.of("densenet_bc", d, 797_788L, 774_376L, 23_412L, 10),
                Arguments.of("vgg16_cifar100", d, 34_006_948L, 34_006_948L, 0L, 100),
                Arguments.of("vgg16", d.withInput(3, 32, 32).withClasses(100), 34_006_948L, 34_006_948L, 0L, 100),
                Arguments.of("resnet50_cifar100", d, 23_766_052L, 23_712_932L, 53_120L, 100),
                Arguments.of("resnet50", d.withInput(3, 32, 32).withClasses(100), 23_766_052L, 23_712_932L, 53_120L, 100),
                Arguments.of("mnist_cnn", d, 80_266L, 80_266L, 0L, 10),
                Arguments.of("y_network", d, 208_394L, 208_394L, 0L, 10),
                // keras.applications VGG16 / DenseNet121 with their 1000-class tops; ResNet-50 trainable = torchvision's.
                Arguments.of("vgg16", d, 138_357_544L, 138_357_544L, 0L, 1000),
                Arguments.of("densenet121", d, 8_062_504L, 7_978_856L, 83_648L, 1000),
                Arguments.of("resnet50", d, 25_610_152L, 25_557_032L, 53_120L, 1000),
                // The other ImageNet ResNets: trainable = torchvision's resnet18/34/101/152; non-trainable = 2 × the BN
                // channels (stem 64; per block 2f basic or 6f bottleneck, plus the projection's BN in first blocks):
                // 4,800 / 8,512 / 52,672 / 75,712 channels.
                Arguments.of("resnet18", d, 11_699_112L, 11_689_512L, 9_600L, 1000),
                Arguments.of("resnet34", d, 21_814_696L, 21_797_672L, 17_024L, 1000),
                Arguments.of("resnet101", d, 44_654_504L, 44_549_160L, 105_344L, 1000),
                Arguments.of("resnet152", d, 60_344_232L, 60_192_808L, 151_424L, 1000),
                // keras.applications.MobileNetV2(alpha=1.0, weights=None): 3,538,984 = 3,504,872 + 34,112 BN statistics.
                Arguments.of("mobilenet_v2", d, 3_538_984L, 3_504_872L, 34_112L, 1000),
                // The same layers with a 10-class head: 1280·10 + 10 instead of 1280·1000 + 1000.
                Arguments.of("mobilenet_v2_cifar", d, 2_270_794L, 2_236_682L, 34_112L, 10),
                Arguments.of("alexnet", d, 62_378_344L, 62_378_344L, 0L, 1000),
                // Our own small MNIST models: conv/dense/BN arithmetic in their javadoc.
                Arguments.of("mnist_resnet", d, 152_842L, 152_202L, 640L, 10),
                Arguments.of("mnist_densenet", d, 138_314L, 135_242L, 3_072L, 10));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("counts")
    void matchesKerasCounts(String name, ModelConfig config, long total, long trainable, long nonTrainable, int classes) {
        Model m = ModelRegistry.create(name, config);
        assertEquals(total, m.totalParams(), "total");
        assertEquals(trainable, m.trainableParams(), "trainable");
        assertEquals(nonTrainable, m.nonTrainableParams(), "non-trainable");
        assertEquals(Shape.of(classes), m.outputs().get(0).shape());
    }
}
