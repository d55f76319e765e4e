package dev.convkit.bench.ops;

import dev.convkit.backend.Backend;
import dev.convkit.bench.shapes.ConvShape;
import dev.convkit.ops.Conv2d;
import dev.convkit.ops.Conv2dBwdData;
import dev.convkit.ops.Conv2dBwdFilter;
import dev.convkit.tensor.TensorSpec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One convolution kernel per invocation (with bias, as the zoo's Keras convs; the bias costs next to nothing):
 * forward, backward data or backward weights (+ bias), with its operands in the layouts the executor hands it in a
 * training step: activations and their gradients in the engine's own layout ({@link OpFixture#activation}; oneDNN's
 * blocked nChw16c on an AVX-512 cpu engine), weights and bias canonical. The time therefore includes the kernel's
 * own conversion of the canonical weights, and none of the activation reorders a step does only at its ends.
 * Shapes are lines of
 * models/shapes/conv_*.txt; the defaults are conv_resnet20v1.txt (BenchMain sets the full lists).
 * GFLOP/s = {@link ConvShape#flops()} / time (ResultsReport computes it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ConvBenchmark extends EngineBenchmark {
    @Param({"fwd", "bwd_d", "bwd_w"})
    public String dir;

    @Param({
        "mb128ic3ih32oc16oh32kh3ph1n\"resnet20v1:stem/conv\"",
        "mb128ic16ih32oc16oh32kh3ph1n\"resnet20v1:stage1/block1/conv1 x6\"",
        "mb128ic16ih32oc32oh16kh3sh2n\"resnet20v1:stage2/block1/conv1\"",
        "mb128ic32ih16oc32oh16kh3ph1n\"resnet20v1:stage2/block1/conv2 x5\"",
        "mb128ic16ih32oc32oh16kh1sh2n\"resnet20v1:stage2/block1/shortcut\"",
        "mb128ic32ih16oc64oh8kh3sh2n\"resnet20v1:stage3/block1/conv1\"",
        "mb128ic64ih8oc64oh8kh3ph1n\"resnet20v1:stage3/block1/conv2 x5\"",
        "mb128ic32ih16oc64oh8kh1sh2n\"resnet20v1:stage3/block1/shortcut\""})
    public String shape;

    private OpFixture timed;

    @Setup(Level.Trial)
    public void setUp() {
        ConvShape s = ConvShape.parse(shape);
        Backend b = openEngine();
        // Activations (src, dst and their gradients) in the engine's layout, weights canonical: as in a training step.
        TensorSpec src = OpFixture.activation(b, s.src()), dst = OpFixture.activation(b, s.dst());
        OpFixture forward = own(new OpFixture(b, new Conv2d(s.window(), true), List.of(src, s.weights(), s.bias()), null, 1));
        forward.run(); // fills saved memory, if the kernel keeps any, for the backward kernels
        timed = switch (dir) {
            case "fwd" -> forward;
            case "bwd_d" -> own(new OpFixture(b, new Conv2dBwdData(s.window(), s.src().shape()),
                    List.of(dst, s.weights()), forward, 2));
            case "bwd_w" -> own(new OpFixture(b, new Conv2dBwdFilter(s.window(), s.weights().shape(), true),
                    List.of(src, dst), forward, 3));
            default -> throw new IllegalArgumentException("dir '" + dir + "' must be fwd, bwd_d or bwd_w");
        };
    }

    @Benchmark
    public void run() { timed.run(); }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception { closeAll(); }
}
