package dev.convkit.bench.ops;

import dev.convkit.backend.Backend;
import dev.convkit.bench.shapes.PoolShape;
import dev.convkit.ops.Pool2dBwd;
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
 * Max or average pooling, forward or backward (the backward kernel is compiled with the forward one as hint and
 * reads what it saved, as in a training step). Shapes are lines of models/shapes/pool_*.txt.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PoolBenchmark extends EngineBenchmark {
    @Param({"fwd", "bwd"})
    public String dir;

    @Param({
        "--alg=max mb128ic64ih26oh13kh2sh2n\"mnist_cnn:pool1\"",
        "--alg=max mb128ic64ih11oh5kh2sh2n\"mnist_cnn:pool2\"",
        "--alg=avg_np mb128ic64ih8oh1kh8sh8n\"resnet20v1:head/avg_pool\""})
    public String shape;

    private OpFixture timed;

    @Setup(Level.Trial)
    public void setUp() {
        PoolShape s = PoolShape.parse(shape);
        Backend b = openEngine();
        TensorSpec src = OpFixture.activation(b, s.src()), dst = OpFixture.activation(b, s.dst());
        OpFixture forward = own(new OpFixture(b, s.op(), List.of(src), null, 1));
        forward.run();
        timed = switch (dir) {
            case "fwd" -> forward;
            case "bwd" -> own(new OpFixture(b, new Pool2dBwd(s.kind(), s.window()), List.of(src, dst, dst), forward, 2));
            default -> throw new IllegalArgumentException("dir '" + dir + "' must be fwd or bwd");
        };
    }

    @Benchmark
    public void run() { timed.run(); }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception { closeAll(); }
}
