package dev.convkit.bench.ops;

import dev.convkit.bench.shapes.IpShape;
import dev.convkit.ops.DenseOp;
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
 * The machine's practical single-precision matrix-multiply peak through the engine: one large bias-free Dense
 * forward (an sgemm of mb x ic by ic x oc; 2048^3 is 17.2 GFLOP). Every other result is read as a fraction of it.
 * GFLOP/s = 2·mb·ic·oc / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class GemmPeakBenchmark extends EngineBenchmark {
    @Param({"mb2048ic2048oc2048n\"sgemm peak\""})
    public String shape;

    private OpFixture timed;

    @Setup(Level.Trial)
    public void setUp() {
        IpShape s = IpShape.parse(shape);
        timed = own(new OpFixture(openEngine(), new DenseOp(false), List.of(s.src(), s.weights()), null, 1));
    }

    @Benchmark
    public void run() { timed.run(); }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception { closeAll(); }
}
