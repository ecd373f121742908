// Fused LayerNorm over the last axis with affine gain and bias (biased variance, as PyTorch).
// The forward saves mean and rstd = 1/sqrt(var + eps) per row; the backward reads them.
#include <algorithm>
#include <cmath>
#include <vector>

#include "tensor/cpu/kernels.h"
#include "tensor/cpu/strided_loop.h"

namespace pldr::cpu {

void layer_norm(LayerNormResult& r, const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps) {
  dispatch_floating(x.dtype(), "layer_norm", [&](auto tag) {
    using T = decltype(tag);
    const int64_t d = x.shape().back(), rows = x.numel() / std::max<int64_t>(d, 1);
    const T* px = x.data<T>();
    const T* pg = gamma.data<T>();
    const T* pb = beta.data<T>();
    T* py = r.y.data<T>();
    T* pm = r.mean.data<T>();
    T* ps = r.rstd.data<T>();
#pragma omp parallel for schedule(static) if (rows * d >= kParallelThreshold)
    for (int64_t row = 0; row < rows; ++row) {
      const T* in = px + row * d;
      T* out = py + row * d;
      T mean = 0;
      for (int64_t i = 0; i < d; ++i) mean += in[i];
      mean /= T(d);
      T var = 0;
      for (int64_t i = 0; i < d; ++i) var += (in[i] - mean) * (in[i] - mean);
      var /= T(d);
      const T rstd = T(1) / std::sqrt(var + T(eps));
      for (int64_t i = 0; i < d; ++i) out[i] = (in[i] - mean) * rstd * pg[i] + pb[i];
      pm[row] = mean;
      ps[row] = rstd;
    }
  });
}

// With xhat = (x - mean) rstd and dxhat = g gamma:
//   dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)),  dgamma = sum_rows g xhat,  dbeta = sum_rows g.
void layer_norm_back(LayerNormGrads& r, const Tensor& g, const Tensor& x, const Tensor& mean, const Tensor& rstd,
                     const Tensor& gamma) {
  dispatch_floating(x.dtype(), "layer_norm_back", [&](auto tag) {
    using T = decltype(tag);
    const int64_t d = x.shape().back(), rows = x.numel() / std::max<int64_t>(d, 1);
    const T *px = x.data<T>(), *pgo = g.data<T>(), *pm = mean.data<T>(), *ps = rstd.data<T>(), *pgam = gamma.data<T>();
    T* pdx = r.dx.data<T>();
    T* pdg = r.dgamma.data<T>();
    T* pdb = r.dbeta.data<T>();
    // dgamma and dbeta sum over rows: partial sums over fixed blocks of kRowBlock rows (whatever
    // the thread count), then the blocks added in order, so the result is the same on every run
    // and for any number of threads.
    constexpr int64_t kRowBlock = 32;
    const int64_t blocks = (rows + kRowBlock - 1) / kRowBlock;
    std::vector<T> partial(size_t(blocks) * 2 * d, T(0));
#pragma omp parallel for schedule(static) if (rows * d >= kParallelThreshold && blocks > 1)
    for (int64_t block = 0; block < blocks; ++block) {
      T* dgamma = partial.data() + size_t(block) * 2 * d;
      T* dbeta = dgamma + d;
      const int64_t row_end = std::min(rows, (block + 1) * kRowBlock);
      for (int64_t row = block * kRowBlock; row < row_end; ++row) {
        const T* in = px + row * d;
        const T* go = pgo + row * d;
        T* dx = pdx + row * d;
        const T m = pm[row], s = ps[row];
        T mean_dxhat = 0, mean_dxhat_xhat = 0;
        for (int64_t i = 0; i < d; ++i) {
          const T xhat = (in[i] - m) * s, dxhat = go[i] * pgam[i];
          mean_dxhat += dxhat;
          mean_dxhat_xhat += dxhat * xhat;
          dgamma[i] += go[i] * xhat;
          dbeta[i] += go[i];
        }
        mean_dxhat /= T(d);
        mean_dxhat_xhat /= T(d);
        for (int64_t i = 0; i < d; ++i) {
          const T xhat = (in[i] - m) * s;
          dx[i] = s * (go[i] * pgam[i] - mean_dxhat - xhat * mean_dxhat_xhat);
        }
      }
    }
    std::fill(pdg, pdg + d, T(0));
    std::fill(pdb, pdb + d, T(0));
    for (int64_t block = 0; block < blocks; ++block)
      for (int64_t i = 0; i < d; ++i) {
        pdg[i] += partial[size_t(block) * 2 * d + i];
        pdb[i] += partial[size_t(block) * 2 * d + d + i];
      }
  });
}

}  // namespace pldr::cpu
