// Fused LayerNorm + adaLN modulation: one read of x per row for the statistics (in double, as
// sum and sum of squared deviations), one pass for the output; the gradient runs per batch
// item on the pool, accumulating dshift and dscale over its tokens.
#include "layer_norm_modulate.h"

#include <cmath>

#include "thread_pool.h"

namespace rf {
namespace {

void row_stats(const float* row, int64_t c, float eps, float& mean, float& rstd) {
  double sum = 0;
  for (int64_t j = 0; j < c; j++) sum += row[j];
  const double mu = c > 0 ? sum / double(c) : 0.0;
  double sq = 0;
  for (int64_t j = 0; j < c; j++) {
    const double d = row[j] - mu;
    sq += d * d;
  }
  mean = float(mu);
  rstd = float(1.0 / std::sqrt((c > 0 ? sq / double(c) : 0.0) + double(eps)));
}

int64_t chunks_for(int64_t batch, int64_t elements) {
  if (elements < kParallelElements / 8 || batch < 2) return 1;
  return batch < pool_threads() ? batch : pool_threads();
}

}  // namespace

void layer_norm_modulate(const float* x, const float* shift, const float* scale, float* y, int64_t batch, int64_t tokens,
                         int64_t channels, float eps) {
  const int64_t chunks = chunks_for(batch, batch * tokens * channels);
  parallel_for(chunks, [&](int64_t part) {
    for (int64_t b = batch * part / chunks; b < batch * (part + 1) / chunks; b++) {
      const float* sh = shift + b * channels;
      const float* sc = scale + b * channels;
      for (int64_t l = 0; l < tokens; l++) {
        const float* row = x + (b * tokens + l) * channels;
        float* out = y + (b * tokens + l) * channels;
        float mean, rstd;
        row_stats(row, channels, eps, mean, rstd);
        for (int64_t j = 0; j < channels; j++) out[j] = (row[j] - mean) * rstd * (1.f + sc[j]) + sh[j];
      }
    }
  });
}

void layer_norm_modulate_grad(const float* dy, const float* x, const float* scale, float* dx, float* dshift, float* dscale,
                              int64_t batch, int64_t tokens, int64_t channels, float eps) {
  const int64_t chunks = chunks_for(batch, batch * tokens * channels);
  parallel_for(chunks, [&](int64_t part) {
    for (int64_t b = batch * part / chunks; b < batch * (part + 1) / chunks; b++) {
      const float* sc = scale + b * channels;
      float* dsh = dshift + b * channels;
      float* dsc = dscale + b * channels;
      for (int64_t j = 0; j < channels; j++) dsh[j] = dsc[j] = 0.f;
      for (int64_t l = 0; l < tokens; l++) {
        const int64_t base = (b * tokens + l) * channels;
        const float* row = x + base;
        const float* g = dy + base;
        float* out = dx + base;
        float mean, rstd;
        row_stats(row, channels, eps, mean, rstd);
        double sum_g = 0, sum_gx = 0;  // sums of g' = dy (1 + scale) and of g' * xhat
        for (int64_t j = 0; j < channels; j++) {
          const float xhat = (row[j] - mean) * rstd;
          const float gp = g[j] * (1.f + sc[j]);
          dsh[j] += g[j];
          dsc[j] += g[j] * xhat;
          sum_g += gp;
          sum_gx += double(gp) * xhat;
        }
        const float mean_g = float(sum_g / double(channels));
        const float mean_gx = float(sum_gx / double(channels));
        for (int64_t j = 0; j < channels; j++) {
          const float xhat = (row[j] - mean) * rstd;
          out[j] = rstd * (g[j] * (1.f + sc[j]) - mean_g - xhat * mean_gx);
        }
      }
    }
  });
}

}  // namespace rf
