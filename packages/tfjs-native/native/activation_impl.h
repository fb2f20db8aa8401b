// Bias add and activation applied in place after a matrix product (the epilogue of
// _FusedMatMul), compiled per instruction set; included by the isa_*.cc files.

static inline float activate(float v, int act, float alpha) {
  switch (act) {
    case kRelu:
      return v > 0.f ? v : 0.f;
    case kRelu6:
      return v < 0.f ? 0.f : (v > 6.f ? 6.f : v);
    case kSigmoid:
      return 1.f / (1.f + __builtin_expf(-v));
    case kLeakyRelu:
      return v < 0.f ? alpha * v : v;
    case kElu:
      return v > 0.f ? v : __builtin_expf(v) - 1.f;
    default:
      return v;
  }
}

static void bias_activation(float* y, const float* bias, int64_t rows, int64_t cols, int act, float alpha) {
  for (int64_t r = 0; r < rows; r++) {
    float* row = y + r * cols;
    if (bias) {
      int64_t j = 0;
      for (; j + RF_VW <= cols; j += RF_VW) store_v(row + j, load_v(row + j) + load_v(bias + j));
      for (; j < cols; j++) row[j] += bias[j];
    }
    if (act == kRelu) {
      for (int64_t j = 0; j < cols; j++) row[j] = row[j] > 0.f ? row[j] : 0.f;
    } else if (act != kLinear) {
      for (int64_t j = 0; j < cols; j++) row[j] = activate(row[j], act, alpha);
    }
  }
}
