/**
 * ONNX interchange: {@link dev.convkit.onnx.OnnxExport} writes a {@link dev.convkit.graph.Model} and its weights as
 * an ONNX inference graph (opset 17, dynamic batch), {@link dev.convkit.onnx.OnnxImport} turns an ONNX file into a
 * {@code Model} with its weights. The translation works on layers, never on op records: each ConvKit layer maps to
 * a few ONNX nodes with the same semantics (TF-'same' padding as explicit pads, the Keras NHWC order of Flatten as
 * Transpose + Flatten, BN with its moving statistics). ONNX's protobuf messages are the generated classes of
 * {@code ai.onnx.proto.OnnxMl}; they stay inside this package.
 */
package dev.convkit.onnx;
