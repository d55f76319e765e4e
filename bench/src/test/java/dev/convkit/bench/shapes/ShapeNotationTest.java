package dev.convkit.bench.shapes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.convkit.ops.Pool2d;
import dev.convkit.ops.Window2d;
import dev.convkit.tensor.TensorSpec;
import org.junit.jupiter.api.Test;

class ShapeNotationTest {

    @Test
    void squareConvDefaultsMirrorHeightKeys() {
        ConvShape s = ConvShape.parse("mb32ic16ih32oc16oh32kh3sh1ph1n\"resnet20:stage1\"");
        assertEquals(TensorSpec.f32(32, 16, 32, 32), s.src());
        assertEquals(TensorSpec.f32(16, 16, 3, 3), s.weights());
        assertEquals(TensorSpec.f32(32, 16, 32, 32), s.dst());
        assertEquals(new Window2d(3, 3, 1, 1, 1, 1, 1, 1, 1, 1), s.window());
        assertEquals("resnet20:stage1", s.name());
        assertEquals(2.0 * 32 * 16 * 32 * 32 * 16 * 9, s.flops());
    }

    @Test
    void givenOutputFixesPaddingAfterAsTensorFlowSame() {
        // 'same' 3x3 stride 2 on 32: TF pads 0 before and 1 after.
        ConvShape s = ConvShape.parse("mb8ic16ih32oc32oh16kh3sh2");
        assertEquals(Window2d.same(32, 32, 3, 3, 2, 2, 1, 1), s.window());
        assertEquals(1, s.padBottom());
        assertEquals(1, s.padRight());
        assertEquals("mb8ic16ih32oc32oh16kh3sh2", s.line());
    }

    @Test
    void missingOutputIsComputedWithSymmetricPadding() {
        ConvShape s = ConvShape.parse("mb2ic3ih38oc64kh7sh2");
        assertEquals(16, s.oh());
        assertEquals(16, s.ow());
        // (16 - 1) * 2 + 7 = 37 < 38: the last input row is never reached, as in Keras's 'valid' 7x7/2 on 38.
        assertEquals(0, s.padBottom());
        assertEquals(Window2d.valid(7, 7, 2, 2, 1, 1), s.window());
        assertEquals(s, ConvShape.parse(s.line()));
    }

    @Test
    void rectangularAndDilatedConvRoundTrips() {
        String line = "mb4ic8ih20iw12oc6oh18ow10kh3sh1dh0dw0n\"rect\"";
        ConvShape s = ConvShape.parse(line);
        assertEquals(TensorSpec.f32(4, 8, 20, 12), s.src());
        assertEquals(TensorSpec.f32(4, 6, 18, 10), s.dst());
        assertEquals(s, ConvShape.parse(s.line()));
        ConvShape d = ConvShape.parse("mb1ic4ih28oc8kh3dh1");  // benchdnn dilation 1 = ConvKit dilation 2
        assertEquals(2, d.window().dilationH());
        assertEquals(24, d.oh());
        assertEquals(d, ConvShape.parse(d.line()));
    }

    @Test
    void convErrorsNameTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConvShape.parse("mb2ic3oc4kh3"));
        assertTrue(e.getMessage().contains("missing 'ih'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvShape.parse("mb2ic3ih8oc4kh3xx5"));
        assertTrue(e.getMessage().contains("unknown key 'xx'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvShape.parse("mb2ic3ih8oc4oh9kh3"));
        assertTrue(e.getMessage().contains("padding must be smaller than the kernel 3x3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvShape.parse("mb2ic3ih8oc4oh4kh3"));
        assertTrue(e.getMessage().contains("smaller than input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvShape.parse("g2mb2ic4ih8oc4kh3"));
        assertTrue(e.getMessage().contains("grouped"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvShape.parse("mb2ic3ih8oc4kh3n\"a,b\""));
        assertTrue(e.getMessage().contains("comma"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvShape.parse("mb2ic3ih8ih9oc4kh3"));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void poolNeedsAlgorithmAndDerivesPadding() {
        PoolShape p = PoolShape.parse("--alg=max mb32ic64ih16oh8kh3sh2n\"resnet50:stem/pool\"");
        assertEquals(Pool2d.Kind.MAX, p.kind());
        assertEquals(Window2d.same(16, 16, 3, 3, 2, 2, 1, 1), p.window());
        assertEquals(TensorSpec.f32(32, 64, 8, 8), p.dst());
        assertEquals(p, PoolShape.parse(p.line()));
        assertEquals(Pool2d.Kind.AVG, PoolShape.parse("--alg=avg_np mb2ic3ih8kh8sh8").kind());
        assertThrows(IllegalArgumentException.class, () -> PoolShape.parse("mb2ic3ih8kh2sh2"));
        assertThrows(IllegalArgumentException.class, () -> PoolShape.parse("--alg=avg_p mb2ic3ih8kh2sh2"));
    }

    @Test
    void bnormAndIpShapes() {
        BnormShape b = BnormShape.parse("mb128ic16ih32");
        assertEquals(TensorSpec.f32(128, 16, 32, 32), b.src());
        assertEquals(4L * 128 * 16 * 32 * 32, b.tensorBytes());
        BnormShape flat = BnormShape.parse("mb64ic100");
        assertFalse(flat.spatial());
        assertEquals(TensorSpec.f32(64, 100), flat.src());
        assertEquals("mb64ic100", flat.line());
        IpShape ip = IpShape.parse("mb2048ic2048oc2048n\"sgemm peak\"");
        assertEquals(TensorSpec.f32(2048, 2048), ip.weights());
        assertEquals(2.0 * 2048 * 2048 * 2048, ip.flops());
        assertThrows(IllegalArgumentException.class, () -> IpShape.parse("mb2ic3oc4ih5"));
    }

    @Test
    void commentsAndBlankLinesAreNotProblems() {
        assertFalse(Notation.isProblem("# conv problems"));
        assertFalse(Notation.isProblem("   "));
        assertTrue(Notation.isProblem("mb1ic1ih1oc1kh1"));
    }
}
