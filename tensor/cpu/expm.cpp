// Matrix exponential by scaling and squaring with the [13/13] Padé approximant
// (Higham, "The scaling and squaring method for the matrix exponential revisited", SIAM J. Matrix
// Anal. Appl. 26(4), 2005, Algorithm 2.3), computed in double precision for every dtype.
//
// The Fréchet derivative uses the block identity
//   expm([[A, E], [0, A]]) = [[expm(A), L(A, E)], [0, expm(A)]],
// with E rescaled to A's norm first (L is linear in E) so that E does not change the scaling.
#include <Eigen/Dense>
#include <cmath>

#include "tensor/cpu/kernels.h"

namespace pldr::cpu {

namespace {

using Mat = Eigen::MatrixXd;

// The [13/13] Padé approximant r13(A) of exp(A), accurate to double precision for ‖A‖1 <= θ13.
Mat pade13(const Mat& a) {
  static const double b[14] = {64764752532480000.0,
                               32382376266240000.0,
                               7771770303897600.0,
                               1187353796428800.0,
                               129060195264000.0,
                               10559470521600.0,
                               670442572800.0,
                               33522128640.0,
                               1323241920.0,
                               40840800.0,
                               960960.0,
                               16380.0,
                               182.0,
                               1.0};
  const Mat id = Mat::Identity(a.rows(), a.cols());
  const Mat a2 = a * a, a4 = a2 * a2, a6 = a4 * a2;
  const Mat u = a * (a6 * (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * id);
  const Mat v = a6 * (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * id;
  return (v - u).partialPivLu().solve(v + u);
}

// The s of exp(A) = r13(A / 2^s)^(2^s): the smallest with ‖A / 2^s‖1 <= θ13.
int scaling_exponent(const Mat& a) {
  const double theta13 = 5.371920351148152;
  const double norm1 = a.size() ? a.cwiseAbs().colwise().sum().maxCoeff() : 0.0;
  return norm1 > theta13 ? static_cast<int>(std::ceil(std::log2(norm1 / theta13))) : 0;
}

Mat expm_pade13(const Mat& a) {
  const int s = scaling_exponent(a);
  Mat r = pade13(a / std::ldexp(1.0, s));
  for (int i = 0; i < s; ++i) r = r * r;
  return r;
}

// exp(A) as (R, log_scale) with exp(A) = R · e^log_scale and max|R| = 1: the squaring phase
// renormalises after every product, so neither overflow nor underflow can happen.
Mat expm_scaled(const Mat& a, double& log_scale) {
  const int s = scaling_exponent(a);
  Mat r = pade13(a / std::ldexp(1.0, s));
  log_scale = 0;
  auto normalise = [&] {
    const double m = r.cwiseAbs().maxCoeff();
    r /= m;
    log_scale += std::log(m);
  };
  normalise();
  for (int i = 0; i < s; ++i) {
    r = r * r;
    log_scale *= 2;
    normalise();
  }
  return r;
}

template <class T> Mat load(const T* p, int64_t n) {
  Mat m(n, n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) m(i, j) = static_cast<double>(p[i * n + j]);
  return m;
}

template <class T> void store(T* p, const Mat& m) {
  for (int64_t i = 0; i < m.rows(); ++i)
    for (int64_t j = 0; j < m.cols(); ++j) p[i * m.cols() + j] = static_cast<T>(m(i, j));
}

double norm1(const Mat& m) { return m.size() ? m.cwiseAbs().colwise().sum().maxCoeff() : 0.0; }

}  // namespace

void expm(Tensor& out, const Tensor& x) {
  dispatch_floating(x.dtype(), "expm", [&](auto tag) {
    using T = decltype(tag);
    const int64_t n = x.shape().back(), batches = x.numel() / std::max<int64_t>(n * n, 1);
    const T* px = x.data<T>();
    T* po = out.data<T>();
#pragma omp parallel for schedule(static) if (batches > 1 && batches * n * n * n >= (1 << 15))
    for (int64_t i = 0; i < batches; ++i) store(po + i * n * n, expm_pade13(load(px + i * n * n, n)));
  });
}

void expm_frechet(Tensor& out, const Tensor& a, const Tensor& e) {
  dispatch_floating(a.dtype(), "expm_frechet", [&](auto tag) {
    using T = decltype(tag);
    const int64_t n = a.shape().back(), batches = a.numel() / std::max<int64_t>(n * n, 1);
    const T* pa = a.data<T>();
    const T* pe = e.data<T>();
    T* po = out.data<T>();
#pragma omp parallel for schedule(static) if (batches > 1 && batches * n * n * n >= (1 << 15))
    for (int64_t i = 0; i < batches; ++i) {
      const Mat ma = load(pa + i * n * n, n), me = load(pe + i * n * n, n);
      const double ne = norm1(me);
      if (ne == 0) continue;  // L(A, 0) = 0; out is zero-filled
      const double scale = std::max(norm1(ma), 1.0) / ne;
      Mat block = Mat::Zero(2 * n, 2 * n);
      block.topLeftCorner(n, n) = ma;
      block.bottomRightCorner(n, n) = ma;
      block.topRightCorner(n, n) = me * scale;
      store(po + i * n * n, Mat(expm_pade13(block).topRightCorner(n, n) / scale));
    }
  });
}

void log_trace_expm(Tensor& out, Tensor* grad, const Tensor& x) {
  dispatch_floating(x.dtype(), "log_trace_expm", [&](auto tag) {
    using T = decltype(tag);
    const int64_t n = x.shape().back(), batches = x.numel() / std::max<int64_t>(n * n, 1);
    const T* px = x.data<T>();
    T* po = out.data<T>();
    T* pg = grad ? grad->data<T>() : nullptr;
#pragma omp parallel for schedule(static) if (batches > 1 && batches * n * n * n >= (1 << 15))
    for (int64_t i = 0; i < batches; ++i) {
      double log_scale = 0;
      const Mat e = expm_scaled(load(px + i * n * n, n), log_scale);  // exp(X) = e · e^log_scale
      const double t = e.trace();
      po[i] = static_cast<T>(log_scale + std::log(t));
      if (pg) store(pg + i * n * n, Mat(e.transpose() / t));  // the scale cancels in exp(X)ᵀ / tr exp(X)
    }
  });
}

}  // namespace pldr::cpu
