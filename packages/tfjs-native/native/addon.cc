// Node-API bindings. Every kernel receives the wasm heap (an ArrayBuffer) and byte offsets of
// the tensors in it, and works in place: no copies between JavaScript and native memory.
#include <napi.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "activations.h"
#include "adam.h"
#include "attention.h"
#include "binary.h"
#include "copy.h"
#include "cpu_dispatch.h"
#include "gated_residual.h"
#include "layer_norm_modulate.h"
#include "matmul.h"
#include "native_memory.h"
#include "reduce.h"
#include "rms_norm.h"
#include "softmax.h"
#include "thread_pool.h"
#include "transpose.h"

namespace {

struct Heap {
  uint8_t* base;
  size_t bytes;
};

Heap heap_of(const Napi::Value& v) {
  if (!v.IsArrayBuffer()) throw Napi::TypeError::New(v.Env(), "tfjs-native: expected the wasm heap ArrayBuffer");
  auto buffer = v.As<Napi::ArrayBuffer>();
  return {static_cast<uint8_t*>(buffer.Data()), buffer.ByteLength()};
}

int64_t int_of(const Napi::Value& v) { return int64_t(v.As<Napi::Number>().Int64Value()); }

std::vector<int64_t> ints_of(const Napi::Value& v) {
  auto array = v.As<Napi::Array>();
  std::vector<int64_t> out(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) out[i] = int_of(array.Get(i));
  return out;
}

// A float view of `count` elements at byte offset `offset` of the heap, bounds-checked.
float* floats_at(const Napi::Env& env, const Heap& heap, int64_t offset, int64_t count) {
  if (offset < 0 || offset % 4 != 0 || size_t(offset) + size_t(count) * 4 > heap.bytes) {
    throw Napi::RangeError::New(env, "tfjs-native: tensor outside the wasm heap");
  }
  return reinterpret_cast<float*>(heap.base + offset);
}

int64_t product(const std::vector<int64_t>& dims) {
  int64_t p = 1;
  for (int64_t d : dims) p *= d;
  return p;
}

// matMul(heap, aOff, bOff, cOff, m, n, k, transA, transB, batchShape, aBatchStrides,
//        bBatchStrides, aSize, bSize, biasOff, biasLen, activation, alpha, preluOff, preluLen[, bSumsOff])
Napi::Value MatMul(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  rf::MatMulProblem p;
  p.m = int_of(info[4]);
  p.n = int_of(info[5]);
  p.k = int_of(info[6]);
  p.trans_a = info[7].As<Napi::Boolean>().Value();
  p.trans_b = info[8].As<Napi::Boolean>().Value();
  p.batch_shape = ints_of(info[9]);
  p.a_batch_stride = ints_of(info[10]);
  p.b_batch_stride = ints_of(info[11]);
  if (p.a_batch_stride.size() != p.batch_shape.size() || p.b_batch_stride.size() != p.batch_shape.size()) {
    throw Napi::RangeError::New(env, "tfjs-native: batch strides do not match the batch shape");
  }
  p.a = floats_at(env, heap, int_of(info[1]), int_of(info[12]));
  p.b = floats_at(env, heap, int_of(info[2]), int_of(info[13]));
  p.c = floats_at(env, heap, int_of(info[3]), product(p.batch_shape) * p.m * p.n);
  const int64_t bias_off = int_of(info[14]);
  p.bias_len = int_of(info[15]);
  p.bias = bias_off >= 0 ? floats_at(env, heap, bias_off, p.bias_len) : nullptr;
  p.activation = int(int_of(info[16]));
  p.alpha = float(info[17].As<Napi::Number>().DoubleValue());
  const int64_t prelu_off = int_of(info[18]);
  p.prelu_len = int_of(info[19]);
  p.prelu_weights = prelu_off >= 0 ? floats_at(env, heap, prelu_off, p.prelu_len) : nullptr;
  if (p.activation == rf::kPrelu && !p.prelu_weights) throw Napi::TypeError::New(env, "tfjs-native: prelu without weights");
  const int64_t b_sums_off = info.Length() > 20 ? int_of(info[20]) : -1;
  if (b_sums_off >= 0 && product(p.batch_shape) != 1) throw Napi::RangeError::New(env, "tfjs-native: B's column sums need a batch of 1");
  p.b_sums = b_sums_off >= 0 ? floats_at(env, heap, b_sums_off, p.n) : nullptr;
  rf::matmul(p);
  return env.Undefined();
}

// linearGelu(heap, xOff, wOff, bOff, zOff, hOff, m, n, k): z = x w + b and h = gelu_tanh(z), 2-D.
Napi::Value LinearGelu(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  rf::MatMulProblem p;
  p.m = int_of(info[6]);
  p.n = int_of(info[7]);
  p.k = int_of(info[8]);
  p.trans_a = p.trans_b = false;
  p.a = floats_at(env, heap, int_of(info[1]), p.m * p.k);
  p.b = floats_at(env, heap, int_of(info[2]), p.k * p.n);
  p.bias = floats_at(env, heap, int_of(info[3]), p.n);
  p.bias_len = p.n;
  p.c = floats_at(env, heap, int_of(info[4]), p.m * p.n);
  p.gelu_out = floats_at(env, heap, int_of(info[5]), p.m * p.n);
  rf::matmul(p);
  return env.Undefined();
}

// reduce(heap, xOff, outOff, shape, axes, op)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const std::vector<int64_t> shape = ints_of(info[3]);
  const std::vector<int64_t> axes = ints_of(info[4]);
  std::vector<bool> reduced(shape.size(), false);
  for (int64_t a : axes) {
    if (a < 0 || a >= int64_t(shape.size())) throw Napi::RangeError::New(env, "tfjs-native: reduction axis out of range");
    reduced[a] = true;
  }
  int64_t kept = 1;
  for (size_t d = 0; d < shape.size(); d++)
    if (!reduced[d]) kept *= shape[d];
  const float* x = floats_at(env, heap, int_of(info[1]), product(shape));
  float* out = floats_at(env, heap, int_of(info[2]), kept);
  rf::reduce(x, out, shape, reduced, int(int_of(info[5])));
  return env.Undefined();
}

// transpose(heap, xOff, outOff, shape, perm)
Napi::Value Transpose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const std::vector<int64_t> shape = ints_of(info[3]);
  const std::vector<int64_t> perm = ints_of(info[4]);
  if (perm.size() != shape.size()) throw Napi::RangeError::New(env, "tfjs-native: perm does not match the rank");
  const int64_t size = product(shape);
  rf::transpose(floats_at(env, heap, int_of(info[1]), size), floats_at(env, heap, int_of(info[2]), size), shape, perm);
  return env.Undefined();
}

// slice(heap, xOff, outOff, shape, begin, size)
Napi::Value Slice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const std::vector<int64_t> shape = ints_of(info[3]);
  const std::vector<int64_t> begin = ints_of(info[4]);
  const std::vector<int64_t> size = ints_of(info[5]);
  if (begin.size() != shape.size() || size.size() != shape.size()) throw Napi::RangeError::New(env, "tfjs-native: slice rank");
  for (size_t d = 0; d < shape.size(); d++) {
    if (begin[d] < 0 || size[d] < 0 || begin[d] + size[d] > shape[d]) throw Napi::RangeError::New(env, "tfjs-native: slice out of bounds");
  }
  const float* x = floats_at(env, heap, int_of(info[1]), product(shape));
  rf::slice(x, floats_at(env, heap, int_of(info[2]), product(size)), shape, begin, size);
  return env.Undefined();
}

// concat(heap, outOff, outer, inputOffsets, widths)
Napi::Value Concat(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t outer = int_of(info[2]);
  const std::vector<int64_t> offsets = ints_of(info[3]);
  const std::vector<int64_t> widths = ints_of(info[4]);
  if (offsets.size() != widths.size()) throw Napi::RangeError::New(env, "tfjs-native: concat inputs");
  std::vector<const float*> inputs(offsets.size());
  int64_t row = 0;
  for (size_t i = 0; i < offsets.size(); i++) {
    inputs[i] = floats_at(env, heap, offsets[i], outer * widths[i]);
    row += widths[i];
  }
  rf::concat(inputs, widths, floats_at(env, heap, int_of(info[1]), outer * row), outer);
  return env.Undefined();
}

// An element-wise op y = f(x) over n floats: (heap, xOff, yOff, n).
Napi::Value ElementWise(const Napi::CallbackInfo& info, void (*f)(const float*, float*, int64_t)) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t n = int_of(info[3]);
  f(floats_at(env, heap, int_of(info[1]), n), floats_at(env, heap, int_of(info[2]), n), n);
  return env.Undefined();
}

// Its gradient dx = g(dy, x): (heap, dyOff, xOff, dxOff, n).
Napi::Value ElementWiseGrad(const Napi::CallbackInfo& info, void (*g)(const float*, const float*, float*, int64_t)) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t n = int_of(info[4]);
  g(floats_at(env, heap, int_of(info[1]), n), floats_at(env, heap, int_of(info[2]), n), floats_at(env, heap, int_of(info[3]), n), n);
  return env.Undefined();
}

// geluTanh and silu, and their gradients.
Napi::Value GeluTanh(const Napi::CallbackInfo& info) { return ElementWise(info, rf::gelu_tanh); }
Napi::Value GeluTanhGrad(const Napi::CallbackInfo& info) { return ElementWiseGrad(info, rf::gelu_tanh_grad); }
Napi::Value Silu(const Napi::CallbackInfo& info) { return ElementWise(info, rf::silu); }
Napi::Value SiluGrad(const Napi::CallbackInfo& info) { return ElementWiseGrad(info, rf::silu_grad); }

// gatedResidual(heap, xOff, gateOff, yOff, outOff, batch, tokens, channels)
Napi::Value GatedResidual(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t b = int_of(info[5]), l = int_of(info[6]), c = int_of(info[7]);
  rf::gated_residual(floats_at(env, heap, int_of(info[1]), b * l * c), floats_at(env, heap, int_of(info[2]), b * c),
                     floats_at(env, heap, int_of(info[3]), b * l * c), floats_at(env, heap, int_of(info[4]), b * l * c), b, l, c);
  return env.Undefined();
}

// gatedResidualGrad(heap, doutOff, gateOff, yOff, dgateOff, dyOff, batch, tokens, channels)
Napi::Value GatedResidualGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t b = int_of(info[6]), l = int_of(info[7]), c = int_of(info[8]);
  rf::gated_residual_grad(floats_at(env, heap, int_of(info[1]), b * l * c), floats_at(env, heap, int_of(info[2]), b * c),
                          floats_at(env, heap, int_of(info[3]), b * l * c), floats_at(env, heap, int_of(info[4]), b * c),
                          floats_at(env, heap, int_of(info[5]), b * l * c), b, l, c);
  return env.Undefined();
}

// layerNormModulate(heap, xOff, shiftOff, scaleOff, yOff, batch, tokens, channels, eps)
Napi::Value LayerNormModulate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t b = int_of(info[5]), l = int_of(info[6]), c = int_of(info[7]);
  const float eps = float(info[8].As<Napi::Number>().DoubleValue());
  rf::layer_norm_modulate(floats_at(env, heap, int_of(info[1]), b * l * c), floats_at(env, heap, int_of(info[2]), b * c),
                          floats_at(env, heap, int_of(info[3]), b * c), floats_at(env, heap, int_of(info[4]), b * l * c), b, l, c,
                          eps);
  return env.Undefined();
}

// layerNormModulateGrad(heap, dyOff, xOff, scaleOff, dxOff, dshiftOff, dscaleOff, batch, tokens, channels, eps)
Napi::Value LayerNormModulateGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t b = int_of(info[7]), l = int_of(info[8]), c = int_of(info[9]);
  const float eps = float(info[10].As<Napi::Number>().DoubleValue());
  rf::layer_norm_modulate_grad(floats_at(env, heap, int_of(info[1]), b * l * c), floats_at(env, heap, int_of(info[2]), b * l * c),
                               floats_at(env, heap, int_of(info[3]), b * c), floats_at(env, heap, int_of(info[4]), b * l * c),
                               floats_at(env, heap, int_of(info[5]), b * c), floats_at(env, heap, int_of(info[6]), b * c), b, l, c,
                               eps);
  return env.Undefined();
}

// adamUpdate(heap, pOff, mOff, vOff, gOff, pOutOff, mOutOff, vOutOff, n, [lr, beta1, beta2, eps, weightDecay, c1, c2])
Napi::Value AdamUpdate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t n = int_of(info[8]);
  auto hp = info[9].As<Napi::Array>();
  auto num = [&](uint32_t i) { return float(hp.Get(i).As<Napi::Number>().DoubleValue()); };
  const rf::AdamStep step{num(0), num(1), num(2), num(3), num(4), num(5), num(6)};
  rf::adam_update(floats_at(env, heap, int_of(info[1]), n), floats_at(env, heap, int_of(info[2]), n),
                  floats_at(env, heap, int_of(info[3]), n), floats_at(env, heap, int_of(info[4]), n),
                  floats_at(env, heap, int_of(info[5]), n), floats_at(env, heap, int_of(info[6]), n),
                  floats_at(env, heap, int_of(info[7]), n), n, step);
  return env.Undefined();
}

// binary(heap, op, aOff, bOff, outOff, outShape, aStrides, bStrides, aSize, bSize)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int op = int(int_of(info[1]));
  const std::vector<int64_t> shape = ints_of(info[5]);
  const std::vector<int64_t> sa = ints_of(info[6]);
  const std::vector<int64_t> sb = ints_of(info[7]);
  if (sa.size() != shape.size() || sb.size() != shape.size() || op < 0 || op > 3) {
    throw Napi::RangeError::New(env, "tfjs-native: bad binary op arguments");
  }
  rf::binary(op, floats_at(env, heap, int_of(info[2]), int_of(info[8])), floats_at(env, heap, int_of(info[3]), int_of(info[9])),
             floats_at(env, heap, int_of(info[4]), product(shape)), shape, sa, sb);
  return env.Undefined();
}

// softmax(heap, xOff, yOff, rows, cols) and softmaxGrad(heap, dyOff, yOff, dxOff, rows, cols)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t rows = int_of(info[3]), cols = int_of(info[4]);
  rf::softmax(floats_at(env, heap, int_of(info[1]), rows * cols), floats_at(env, heap, int_of(info[2]), rows * cols), rows, cols);
  return env.Undefined();
}

Napi::Value SoftmaxGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t rows = int_of(info[4]), cols = int_of(info[5]);
  rf::softmax_grad(floats_at(env, heap, int_of(info[1]), rows * cols), floats_at(env, heap, int_of(info[2]), rows * cols),
                   floats_at(env, heap, int_of(info[3]), rows * cols), rows, cols);
  return env.Undefined();
}

// rmsNorm(heap, xOff, gainOff, yOff, rows, cols, eps) and
// rmsNormGrad(heap, dyOff, xOff, gainOff, dxOff, dgainOff, rows, cols, eps)
Napi::Value RmsNorm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t rows = int_of(info[4]), cols = int_of(info[5]);
  const float eps = info[6].As<Napi::Number>().FloatValue();
  rf::rms_norm(floats_at(env, heap, int_of(info[1]), rows * cols), floats_at(env, heap, int_of(info[2]), cols),
               floats_at(env, heap, int_of(info[3]), rows * cols), rows, cols, eps);
  return env.Undefined();
}

Napi::Value RmsNormGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t rows = int_of(info[6]), cols = int_of(info[7]);
  const float eps = info[8].As<Napi::Number>().FloatValue();
  rf::rms_norm_grad(floats_at(env, heap, int_of(info[1]), rows * cols), floats_at(env, heap, int_of(info[2]), rows * cols),
                    floats_at(env, heap, int_of(info[3]), cols), floats_at(env, heap, int_of(info[4]), rows * cols),
                    floats_at(env, heap, int_of(info[5]), cols), rows, cols, eps);
  return env.Undefined();
}

// attention(heap, qOff, kOff, vOff, oOff, pOff, n, lq, lk, d, scale) and
// attentionGrad(heap, doOff, qOff, kOff, vOff, pOff, dqOff, dkOff, dvOff, n, lq, lk, d, scale)
Napi::Value Attention(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t n = int_of(info[6]), lq = int_of(info[7]), lk = int_of(info[8]), d = int_of(info[9]);
  const float scale = info[10].As<Napi::Number>().FloatValue();
  rf::attention(floats_at(env, heap, int_of(info[1]), n * lq * d), floats_at(env, heap, int_of(info[2]), n * lk * d),
                floats_at(env, heap, int_of(info[3]), n * lk * d), floats_at(env, heap, int_of(info[4]), n * lq * d),
                floats_at(env, heap, int_of(info[5]), n * lq * lk), n, lq, lk, d, scale);
  return env.Undefined();
}

Napi::Value AttentionGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t n = int_of(info[9]), lq = int_of(info[10]), lk = int_of(info[11]), d = int_of(info[12]);
  const float scale = info[13].As<Napi::Number>().FloatValue();
  rf::attention_grad(floats_at(env, heap, int_of(info[1]), n * lq * d), floats_at(env, heap, int_of(info[2]), n * lq * d),
                     floats_at(env, heap, int_of(info[3]), n * lk * d), floats_at(env, heap, int_of(info[4]), n * lk * d),
                     floats_at(env, heap, int_of(info[5]), n * lq * lk), floats_at(env, heap, int_of(info[6]), n * lq * d),
                     floats_at(env, heap, int_of(info[7]), n * lk * d), floats_at(env, heap, int_of(info[8]), n * lk * d), n, lq,
                     lk, d, scale);
  return env.Undefined();
}

// jointAttention(heap, [qkvc, qkvx, oc, ox, p(, gqc, gkc, gqx, gkx)] offsets, [heads, batch, lcq, lc, lx, d], scale(, eps))
Napi::Value JointAttention(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const std::vector<int64_t> off = ints_of(info[1]), dims = ints_of(info[2]);
  if ((off.size() != 5 && off.size() != 9) || dims.size() != 6)
    throw Napi::TypeError::New(env, "tfjs-native: jointAttention: 5 offsets (9 with the q/k norm gains) and 6 sizes");
  const rf::JointShape s{dims[0], dims[1], dims[2], dims[3], dims[4], dims[5]};
  const int64_t w = s.heads * s.d;
  const int64_t sizes[5] = {s.batch * s.lc * 3 * w, s.batch * s.lx * 3 * w, s.batch * s.lcq * w, s.batch * s.lx * w,
                            s.heads * s.batch * (s.lcq + s.lx) * (s.lc + s.lx)};
  float* f[9];
  for (int i = 0; i < 5; i++) f[i] = floats_at(env, heap, off[i], sizes[i]);
  for (size_t i = 5; i < off.size(); i++) f[i] = floats_at(env, heap, off[i], s.d);
  const rf::JointQkNorm norm{f[5], f[6], f[7], f[8], info.Length() > 4 ? info[4].As<Napi::Number>().FloatValue() : 0.f};
  rf::joint_attention(f[0], f[1], f[2], f[3], f[4], s, info[3].As<Napi::Number>().FloatValue(), off.size() == 9 ? &norm : nullptr);
  return env.Undefined();
}

// jointAttentionGrad(heap, [doc, dox, qkvc, qkvx, p, dqkvc, dqkvx(, gqc, gkc, gqx, gkx, dgqc, dgkc, dgqx, dgkx)] offsets,
// sizes, scale(, eps))
Napi::Value JointAttentionGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const std::vector<int64_t> off = ints_of(info[1]), dims = ints_of(info[2]);
  if ((off.size() != 7 && off.size() != 15) || dims.size() != 6)
    throw Napi::TypeError::New(env, "tfjs-native: jointAttentionGrad: 7 offsets (15 with the q/k norm gains) and 6 sizes");
  const rf::JointShape s{dims[0], dims[1], dims[2], dims[3], dims[4], dims[5]};
  const int64_t w = s.heads * s.d;
  const int64_t c = s.batch * s.lc * 3 * w, x = s.batch * s.lx * 3 * w;
  const int64_t sizes[7] = {s.batch * s.lcq * w, s.batch * s.lx * w, c, x, s.heads * s.batch * (s.lcq + s.lx) * (s.lc + s.lx), c, x};
  float* f[15];
  for (int i = 0; i < 7; i++) f[i] = floats_at(env, heap, off[i], sizes[i]);
  // With the norm: the four gains, then their four gradients (d each).
  for (size_t i = 7; i < off.size(); i++) f[i] = floats_at(env, heap, off[i], s.d);
  const rf::JointQkNorm norm{f[7], f[8], f[9], f[10], info.Length() > 4 ? info[4].As<Napi::Number>().FloatValue() : 0.f};
  const bool normed = off.size() == 15;
  rf::joint_attention_grad(f[0], f[1], f[2], f[3], f[4], f[5], f[6], s, info[3].As<Napi::Number>().FloatValue(),
                           normed ? &norm : nullptr, normed ? f + 11 : nullptr);
  return env.Undefined();
}

// qkNorm(heap, qkvOff, gqOff, gkOff, yOff, rows, heads, d, eps) and
// qkNormGrad(heap, dyOff, qkvOff, gqOff, gkOff, dqkvOff, dgqOff, dgkOff, rows, heads, d, eps)
Napi::Value QkNorm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t rows = int_of(info[5]), heads = int_of(info[6]), d = int_of(info[7]);
  const int64_t n = rows * 3 * heads * d;
  rf::qk_norm(floats_at(env, heap, int_of(info[1]), n), floats_at(env, heap, int_of(info[2]), d),
              floats_at(env, heap, int_of(info[3]), d), floats_at(env, heap, int_of(info[4]), n), rows, heads, d,
              info[8].As<Napi::Number>().FloatValue());
  return env.Undefined();
}

Napi::Value QkNormGrad(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const Heap heap = heap_of(info[0]);
  const int64_t rows = int_of(info[8]), heads = int_of(info[9]), d = int_of(info[10]);
  const int64_t n = rows * 3 * heads * d;
  rf::qk_norm_grad(floats_at(env, heap, int_of(info[1]), n), floats_at(env, heap, int_of(info[2]), n),
                   floats_at(env, heap, int_of(info[3]), d), floats_at(env, heap, int_of(info[4]), d),
                   floats_at(env, heap, int_of(info[5]), n), floats_at(env, heap, int_of(info[6]), d),
                   floats_at(env, heap, int_of(info[7]), d), rows, heads, d, info[11].As<Napi::Number>().FloatValue());
  return env.Undefined();
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("isa", rf::active_table()->name);
  out.Set("threads", rf::pool_threads());
  out.Set("scratchBytes", double(rf::live_scratch_bytes()));
  Napi::Array supported = Napi::Array::New(env);
  uint32_t i = 0;
  for (const char* name : {"avx512", "avx2", "portable"})
    if (rf::select_table(name)) supported.Set(i++, name);
  out.Set("supportedIsas", supported);
  return out;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  rf::set_pool_threads(int(int_of(info[0])));
  return Napi::Number::New(info.Env(), rf::pool_threads());
}

// setIsa(name): true when the CPU supports it and it is now in use.
Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  const rf::KernelTable* table = rf::select_table(name.c_str());
  if (table) rf::set_active_table(table);
  return Napi::Boolean::New(info.Env(), table != nullptr);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("matMul", Napi::Function::New(env, MatMul));
  exports.Set("linearGelu", Napi::Function::New(env, LinearGelu));
  exports.Set("reduce", Napi::Function::New(env, Reduce));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("slice", Napi::Function::New(env, Slice));
  exports.Set("concat", Napi::Function::New(env, Concat));
  exports.Set("geluTanh", Napi::Function::New(env, GeluTanh));
  exports.Set("geluTanhGrad", Napi::Function::New(env, GeluTanhGrad));
  exports.Set("silu", Napi::Function::New(env, Silu));
  exports.Set("siluGrad", Napi::Function::New(env, SiluGrad));
  exports.Set("gatedResidual", Napi::Function::New(env, GatedResidual));
  exports.Set("gatedResidualGrad", Napi::Function::New(env, GatedResidualGrad));
  exports.Set("layerNormModulate", Napi::Function::New(env, LayerNormModulate));
  exports.Set("layerNormModulateGrad", Napi::Function::New(env, LayerNormModulateGrad));
  exports.Set("adamUpdate", Napi::Function::New(env, AdamUpdate));
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("softmaxGrad", Napi::Function::New(env, SoftmaxGrad));
  exports.Set("rmsNorm", Napi::Function::New(env, RmsNorm));
  exports.Set("attention", Napi::Function::New(env, Attention));
  exports.Set("attentionGrad", Napi::Function::New(env, AttentionGrad));
  exports.Set("jointAttention", Napi::Function::New(env, JointAttention));
  exports.Set("jointAttentionGrad", Napi::Function::New(env, JointAttentionGrad));
  exports.Set("qkNorm", Napi::Function::New(env, QkNorm));
  exports.Set("qkNormGrad", Napi::Function::New(env, QkNormGrad));
  exports.Set("rmsNormGrad", Napi::Function::New(env, RmsNormGrad));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa));
  return exports;
}

}  // namespace

NODE_API_MODULE(tfjs_native, Init)
