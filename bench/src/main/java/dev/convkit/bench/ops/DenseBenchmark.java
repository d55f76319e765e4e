package dev.convkit.bench.ops;

import dev.convkit.backend.Backend;
import dev.convkit.bench.shapes.IpShape;
import dev.convkit.ops.DenseOp;
import dev.convkit.ops.DenseBwdData;
import dev.convkit.ops.DenseBwdWeights;
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
 * A dense (fully connected) layer with bias, forward, backward data or backward weights (+ bias). Shapes are lines
 * of models/shapes/ip_*.txt. GFLOP/s = {@link IpShape#flops()} / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DenseBenchmark extends EngineBenchmark {
    @Param({"fwd", "bwd_d", "bwd_w"})
    public String dir;

    @Param({"mb128ic64oc10n\"resnet20v1:head/dense\"", "mb128ic576oc10n\"mnist_cnn:dense\""})
    public String shape;

    private OpFixture timed;

    @Setup(Level.Trial)
    public void setUp() {
        IpShape s = IpShape.parse(shape);
        Backend b = openEngine();
        OpFixture forward = own(new OpFixture(b, new DenseOp(true), List.of(s.src(), s.weights(), s.bias()), null, 1));
        forward.run();
        timed = switch (dir) {
            case "fwd" -> forward;
            case "bwd_d" -> own(new OpFixture(b, new DenseBwdData(), List.of(s.dst(), s.weights()), forward, 2));
            case "bwd_w" -> own(new OpFixture(b, new DenseBwdWeights(true), List.of(s.src(), s.dst()), forward, 3));
            default -> throw new IllegalArgumentException("dir '" + dir + "' must be fwd, bwd_d or bwd_w");
        };
    }

    @Benchmark
    public void run() { timed.run(); }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception { closeAll(); }
}
