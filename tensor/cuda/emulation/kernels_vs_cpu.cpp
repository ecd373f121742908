// The CUDA kernels, run under the host emulation (emulated_cuda.h), against the CPU kernels on
// the same inputs: both dtypes, broadcast and transposed operands, rows longer than a block,
// grid-stride loops, edge rows (-inf, NaN, ties, empty), ignored and bad targets, bad ids.
// Reports each case and exits non-zero on a failure. Built and run by run.sh.
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "tensor/cpu/kernels.h"
#include "tensor/creation.h"
#include "tensor/cuda/kernels.h"

using namespace pldr;

std::mt19937 gen(7);
int failures = 0;

Tensor rnd(const Shape& s, DType dt = DType::Float64, double lo = -2, double hi = 2) {
  Tensor t = Tensor::empty(s, DType::Float64);
  std::uniform_real_distribution<double> d(lo, hi);
  double* p = t.data<double>();
  for (int64_t i = 0; i < t.numel(); ++i) p[i] = d(gen);
  return t.to(dt);
}

void compare(const std::string& name, const Tensor& want, const Tensor& got, double tol) {
  auto w = want.to_vector<double>(), g = got.to_vector<double>();
  double err = 0;
  bool bad = w.size() != g.size();
  for (size_t i = 0; !bad && i < w.size(); ++i) {
    if (std::isnan(w[i]) || std::isnan(g[i])) {
      bad |= std::isnan(w[i]) != std::isnan(g[i]);
      continue;
    }
    if (std::isinf(w[i]) || std::isinf(g[i])) {
      bad |= w[i] != g[i];
      continue;
    }
    err = std::max(err, std::abs(w[i] - g[i]) / std::max(1.0, std::abs(w[i])));
  }
  bad |= err > tol;
  std::printf("%-52s %s err %.1e\n", name.c_str(), bad ? "FAIL" : "ok  ", err);
  failures += bad;
}

double tol_of(DType dt) { return dt == DType::Float32 ? 2e-5 : 1e-12; }

int main() {
  for (DType dt : {DType::Float64, DType::Float32}) {
    const std::string ds = dtype_name(dt);
    const double tol = tol_of(dt);
    // binary with broadcast and transposed operands
    for (auto op : {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div, BinaryOp::Pow, BinaryOp::SiluBack,
                    BinaryOp::SwiGlu, BinaryOp::Equal}) {
      Tensor a = rnd({3, 1, 5}, dt, 0.2, 2).expand({3, 4, 5});
      Tensor b = rnd({5, 4}, dt, 0.2, 2).transpose(0, 1).expand({3, 4, 5});
      if (op == BinaryOp::Equal) b = a.transpose(0, 0);
      Tensor w = Tensor::empty({3, 4, 5}, dt), g = Tensor::empty({3, 4, 5}, dt);
      cpu::binary(op, w, a, b);
      cuda::binary(op, g, a, b);
      compare(ds + " binary " + std::to_string(int(op)), w, g, tol);
    }
    for (int op = 0; op <= int(UnaryOp::Clamp); ++op) {
      Tensor x = rnd({6, 7}, dt, -2, 2).transpose(0, 1);
      if (op == int(UnaryOp::Log) || op == int(UnaryOp::Sqrt) || op == int(UnaryOp::PowScalar))
        x = rnd({6, 7}, dt, 0.1, 3).transpose(0, 1);
      Tensor w = Tensor::empty({7, 6}, dt), g = Tensor::empty({7, 6}, dt);
      cpu::unary(UnaryOp(op), w, x, 0.5, 1.25);
      cuda::unary(UnaryOp(op), g, x, 0.5, 1.25);
      compare(ds + " unary " + std::to_string(op), w, g, tol);
    }
    {  // fill on a diagonal, copy with conversion from a transposed view
      Tensor w = Tensor::empty({4, 4}, dt), g = Tensor::empty({4, 4}, dt);
      w.diagonal().fill(2.5);
      Tensor gd = g.diagonal();
      cuda::fill(gd, 2.5);
      compare(ds + " fill diagonal", w, g, 0);
      Tensor src = rnd({5, 3}, DType::Float64).transpose(0, 1);
      Tensor cw = Tensor::empty({3, 5}, dt), cg = Tensor::empty({3, 5}, dt);
      cw.copy_from(src);
      cuda::copy(cg, src);
      compare(ds + " copy transposed float64 ->", cw, cg, 0);
      Tensor ids = Tensor::empty({4}, DType::Int32);
      for (int i = 0; i < 4; ++i) ids.data<int32_t>()[i] = 3 * i - 4;
      Tensor iw = Tensor::empty({4}, dt), ig = Tensor::empty({4}, dt);
      iw.copy_from(ids);
      cuda::copy(ig, ids);
      compare(ds + " copy int32 ->", iw, ig, 0);
    }
    for (auto [rows, inner] : {std::pair<int64_t, int64_t>{5, 37}, {3, 1}, {2, 70000}, {4, 0}}) {
      for (auto op : {ReduceOp::Sum, ReduceOp::Max}) {
        if (op == ReduceOp::Max && inner == 0) continue;
        Tensor x = rnd({rows, inner}, dt);
        Tensor w = Tensor::empty({rows}, dt), g = Tensor::empty({rows}, dt);
        cpu::reduce_rows(op, w, x, inner);
        cuda::reduce_rows(op, g, x, inner);
        compare(
            ds + " reduce_rows " + std::to_string(int(op)) + " " + std::to_string(rows) + "x" + std::to_string(inner),
            w, g, dt == DType::Float32 ? 1e-6 : 1e-13);
      }
    }
    for (auto [rows, cols] : {std::pair<int64_t, int64_t>{200, 37}, {3, 5}, {0, 4}}) {
      for (auto op : {ReduceOp::Sum, ReduceOp::Max}) {
        Tensor x = rnd({rows, cols}, dt);
        Tensor w = Tensor::empty({cols}, dt), g = Tensor::empty({cols}, dt);
        cpu::reduce_columns(op, w, x, rows);
        cuda::reduce_columns(op, g, x, rows);
        compare(
            ds + " reduce_columns " + std::to_string(int(op)) + " " + std::to_string(rows) + "x" + std::to_string(cols),
            w, g, dt == DType::Float32 ? 1e-6 : 1e-13);
      }
    }
    {  // argmax: ties, -inf, NaN first, NaN later, long rows
      Tensor x = rnd({6, 700}, dt);
      auto set = [&](int r, int i, double v) {
        if (dt == DType::Float32) x.data<float>()[r * 700 + i] = float(v);
        else x.data<double>()[r * 700 + i] = v;
      };
      set(0, 10, 9);
      set(0, 600, 9);
      for (int i = 0; i < 700; ++i) set(1, i, -INFINITY);
      set(2, 0, NAN);
      set(3, 5, NAN);
      set(3, 400, 7);
      set(4, 699, 8);
      Tensor w = Tensor::empty({6}, DType::Int32), g = Tensor::empty({6}, DType::Int32);
      cpu::argmax_rows(w, x, 700);
      cuda::argmax_rows(g, x, 700);
      compare(ds + " argmax", w, g, 0);
    }
    {  // sample_rows: every rule on rows longer than a block (sorts over a padded 1024), a NaN row, ties
      const int64_t rows = 7, v = 700;
      Tensor x = rnd({rows, v}, dt, -4, 4);
      x.select(0, 2).select(0, 9).fill(NAN);
      x.select(0, 4).fill(1.5);
      const Tensor uniforms = rnd({rows}, DType::Float64, 0.001, 0.999);
      const SampleRule rules[] = {{true},
                                  {false, 1.0, 0, 1.0, false},
                                  {false, 0.7, 40, 0.9, false},
                                  {false, 1.2, 0, 0.3, false},
                                  {false, 0.9, 25, 0.8, true},
                                  {false, 1.0, 0, 0.5, true},
                                  {false, 1.0, 699, 1.0, true}};
      for (size_t i = 0; i < std::size(rules); ++i) {
        Tensor w = Tensor::empty({rows}, DType::Int32), g = Tensor::empty({rows}, DType::Int32);
        cpu::sample_rows(w, x, uniforms, rules[i]);
        cuda::sample_rows(g, x, uniforms, rules[i]);
        compare(ds + " sample_rows rule " + std::to_string(i), w, g, 0);
      }
    }
    for (int64_t d : {1, 33, 600}) {
      for (bool log : {false, true}) {
        Tensor x = rnd({4, d}, dt, -5, 5);
        if (d > 1) {
          if (dt == DType::Float32) x.data<float>()[3] = -INFINITY;
          else x.data<double>()[3] = -INFINITY;
        }
        Tensor w = Tensor::empty({4, d}, dt), g = Tensor::empty({4, d}, dt);
        cpu::softmax_rows(w, x, Tensor(), log);
        cuda::softmax_rows(g, x, Tensor(), log);
        compare(ds + " softmax d=" + std::to_string(d) + (log ? " log" : ""), w, g, tol);
        Tensor gr = rnd({4, d}, dt);
        Tensor bw = Tensor::empty({4, d}, dt), bg = Tensor::empty({4, d}, dt);
        cpu::softmax_back_rows(bw, w, gr, log);
        cuda::softmax_back_rows(bg, w, gr, log);
        compare(ds + " softmax_back d=" + std::to_string(d) + (log ? " log" : ""), bw, bg, tol);
      }
    }
    {  // an additive mask [2, 1, 3, d] read with stride 0 across 5 heads of x [2, 5, 3, d]
      const int64_t d = 300;
      Tensor x = rnd({2, 5, 3, d}, dt, -5, 5), mask = rnd({2, 1, 3, d}, dt, -5, 5).expand({2, 5, 3, d});
      for (bool log : {false, true}) {
        Tensor w = Tensor::empty(x.shape(), dt), g = Tensor::empty(x.shape(), dt);
        cpu::softmax_rows(w, x, mask, log);
        cuda::softmax_rows(g, x, mask, log);
        compare(ds + " softmax with a broadcast mask" + (log ? " log" : ""), w, g, tol);
      }
    }
    {
      const int64_t rows = 150, d = 40;
      Tensor x = rnd({rows, d}, dt), gamma = rnd({d}, dt), beta = rnd({d}, dt), go = rnd({rows, d}, dt);
      LayerNormResult w{Tensor::empty({rows, d}, dt), Tensor::empty({rows}, dt), Tensor::empty({rows}, dt)};
      LayerNormResult g{Tensor::empty({rows, d}, dt), Tensor::empty({rows}, dt), Tensor::empty({rows}, dt)};
      cpu::layer_norm(w, x, gamma, beta, 1e-5);
      cuda::layer_norm(g, x, gamma, beta, 1e-5);
      compare(ds + " layer_norm y", w.y, g.y, tol);
      compare(ds + " layer_norm mean", w.mean, g.mean, tol);
      compare(ds + " layer_norm rstd", w.rstd, g.rstd, tol);
      LayerNormGrads bw{Tensor::empty({rows, d}, dt), Tensor::empty({d}, dt), Tensor::empty({d}, dt)};
      LayerNormGrads bg{Tensor::empty({rows, d}, dt), Tensor::empty({d}, dt), Tensor::empty({d}, dt)};
      cpu::layer_norm_back(bw, go, x, w.mean, w.rstd, gamma);
      cuda::layer_norm_back(bg, go, x, w.mean, w.rstd, gamma);
      compare(ds + " layer_norm_back dx", bw.dx, bg.dx, tol);
      compare(ds + " layer_norm_back dgamma", bw.dgamma, bg.dgamma, tol * 10);
      compare(ds + " layer_norm_back dbeta", bw.dbeta, bg.dbeta, tol * 10);
    }
    {
      const int64_t vocab = 70, d = 5, n = 300;
      Tensor weight = rnd({vocab, d}, dt), ids = Tensor::empty({n}, DType::Int32);
      std::uniform_int_distribution<int> pick(0, 9);
      for (int i = 0; i < n; ++i) ids.data<int32_t>()[i] = i % 7 == 0 ? 69 : pick(gen) * 7;  // many repeats
      Tensor w = Tensor::empty({n, d}, dt), g = Tensor::empty({n, d}, dt);
      cpu::embedding(w, weight, ids);
      cuda::embedding(g, weight, ids);
      compare(ds + " embedding", w, g, 0);
      Tensor go = rnd({n, d}, dt);
      Tensor bw = Tensor::empty({vocab, d}, dt), bg = Tensor::empty({vocab, d}, dt);
      bg.fill(123);  // the CUDA kernel writes every element
      cpu::embedding_back(bw, go, ids);
      cuda::embedding_back(bg, go, ids);
      compare(ds + " embedding_back (bit for bit)", bw, bg, 0);
      ids.data<int32_t>()[17] = 70;
      cuda::embedding(g, weight, ids);
      try {
        cuda::synchronize();
        std::printf("FAIL no error for a bad id\n");
        ++failures;
      } catch (const std::out_of_range& e) {
        std::printf("%-52s ok   (%s)\n", (ds + " embedding bad id").c_str(), e.what());
      }
    }
    {
      const int64_t rows = 9, v = 600;
      Tensor logits = rnd({rows, v}, dt, -4, 4), targets = Tensor::empty({rows}, DType::Int32);
      for (int i = 0; i < rows; ++i) targets.data<int32_t>()[i] = (i * 67) % v;
      targets.data<int32_t>()[4] = 0;  // ignore_id
      const double w = cpu::cross_entropy_sum(logits, targets, 0), g = cuda::cross_entropy_sum(logits, targets, 0);
      const double err = std::abs(w - g) / std::abs(w);
      std::printf("%-52s %s err %.1e (%.6f)\n", (ds + " cross_entropy_sum").c_str(), err < tol ? "ok  " : "FAIL", err,
                  w);
      failures += err >= tol;
      Tensor bw = Tensor::empty({rows, v}, dt), bg = Tensor::empty({rows, v}, dt);
      bg.fill(5);
      cpu::cross_entropy_back(bw, logits, targets, 0, 0.125);
      cuda::cross_entropy_back(bg, logits, targets, 0, 0.125);
      compare(ds + " cross_entropy_back", bw, bg, tol);
      targets.data<int32_t>()[2] = v;
      try {
        cuda::cross_entropy_sum(logits, targets, 0);
        std::printf("FAIL no error for a bad target\n");
        ++failures;
      } catch (const std::out_of_range& e) {
        std::printf("%-52s ok   (%s)\n", (ds + " cross_entropy bad target").c_str(), e.what());
      }
    }
    {  // the losses and metrics whose results stay tensors, and the training kernels
      const int64_t rows = 9, v = 600;
      Tensor logits = rnd({rows, v}, dt, -4, 4), targets = Tensor::empty({rows}, DType::Int32);
      for (int i = 0; i < rows; ++i) targets.data<int32_t>()[i] = (i * 67) % v;
      targets.data<int32_t>()[4] = 0;  // ignore_id
      Tensor lw = Tensor::empty({}, dt), lg = Tensor::empty({}, dt);
      Tensor nw = Tensor::empty({}, DType::Int32), ng = Tensor::empty({}, DType::Int32);
      cpu::cross_entropy_mean(lw, nw, logits, targets, 0);
      cuda::cross_entropy_mean(lg, ng, logits, targets, 0);
      compare(ds + " cross_entropy_mean", lw, lg, tol);
      compare(ds + " cross_entropy_mean counted", nw, ng, 0);
      Tensor up = Tensor::empty({}, dt);
      up.fill(0.75);
      Tensor bw = Tensor::empty({rows, v}, dt), bg = Tensor::empty({rows, v}, dt);
      bg.fill(5);
      cpu::cross_entropy_mean_back(bw, logits, targets, 0, up, nw);
      cuda::cross_entropy_mean_back(bg, logits, targets, 0, up, ng);
      compare(ds + " cross_entropy_mean_back", bw, bg, tol);
      Tensor all_ignored = Tensor::empty({rows}, DType::Int32);  // counted 0: loss 0, gradient 0
      cpu::cross_entropy_mean(lw, nw, logits, all_ignored, 0);
      cuda::cross_entropy_mean(lg, ng, logits, all_ignored, 0);
      compare(ds + " cross_entropy_mean all ignored", lw, lg, 0);
      bw.fill(0);
      bg.fill(5);
      cuda::cross_entropy_mean_back(bg, logits, all_ignored, 0, up, ng);
      compare(ds + " cross_entropy_mean_back all ignored", bw, bg, 0);
      logits.select(1, 67).fill(9);  // row 1's argmax is its target
      Tensor cw = Tensor::empty({2}, DType::Float64), cg = Tensor::empty({2}, DType::Float64);
      cpu::count_correct(cw, logits, targets, 0);
      cuda::count_correct(cg, logits, targets, 0);
      compare(ds + " count_correct", cw, cg, 0);

      Tensor key_ids = Tensor::empty({2, 7}, DType::Int32);
      for (int i = 0; i < 14; ++i) key_ids.data<int32_t>()[i] = i % 5 == 3 ? 0 : 1 + i;
      Tensor mw = Tensor::empty({2, 1, 4, 7}, dt), mg = Tensor::empty({2, 1, 4, 7}, dt);
      cpu::attention_mask(mw, key_ids, 0);
      cuda::attention_mask(mg, key_ids, 0);
      compare(ds + " attention_mask", mw, mg, 0);

      const AdamWStep step{0.9999, 0.9, 0.95, 1e-5, 1e-3 / 0.19, std::sqrt(1 - 0.95 * 0.95)};
      Tensor pw = rnd({5, 11}, dt), m0 = rnd({5, 11}, dt, -0.1, 0.1), v0 = rnd({5, 11}, dt, 0, 0.1),
             grad = rnd({5, 11}, dt);
      Tensor pg = pw.to(DType::Float64).to(dt), mw2 = m0.to(DType::Float64).to(dt), mg2 = m0.to(DType::Float64).to(dt);
      Tensor vw = v0.to(DType::Float64).to(dt), vg = v0.to(DType::Float64).to(dt);
      for (int k = 0; k < 3; ++k) {
        cpu::adamw_update(pw, mw2, vw, grad, step);
        cuda::adamw_update(pg, mg2, vg, grad, step);
      }
      compare(ds + " adamw_update param (bit for bit)", pw, pg, 0);
      compare(ds + " adamw_update moments (bit for bit)", vw, vg, 0);

      const std::vector<Tensor> xs{rnd({3, 4}, dt), rnd({70000}, dt), rnd({1}, dt)};
      Tensor sw = Tensor::empty({3}, DType::Float64), sg = Tensor::empty({3}, DType::Float64);
      cpu::sum_of_squares(sw, xs);
      cuda::sum_of_squares(sg, xs);
      compare(ds + " sum_of_squares", sw, sg, tol);
      for (double norm : {0.5, 3.0}) {
        Tensor n = Tensor::empty({}, DType::Float64), kw = Tensor::empty({}, DType::Float64),
               kg = Tensor::empty({}, DType::Float64);
        n.fill(norm);
        cpu::clip_coefficient(kw, n, 1.0);
        cuda::clip_coefficient(kg, n, 1.0);
        compare(ds + " clip_coefficient " + std::to_string(norm), kw, kg, 0);
      }
    }
    for (auto pairing : {RotaryPairing::Interleaved, RotaryPairing::RotateHalf})
      for (bool inverse : {false, true}) {
        Tensor x = rnd({2, 5, 3, 8}, dt), cos = rnd({5, 4}, DType::Float32), sin = rnd({5, 4}, DType::Float32);
        Tensor w = Tensor::empty({2, 5, 3, 8}, dt), g = Tensor::empty({2, 5, 3, 8}, dt);
        cpu::rotary(w, x, cos, sin, pairing, inverse);
        cuda::rotary(g, x, cos, sin, pairing, inverse);
        compare(ds + " rotary " + std::to_string(int(pairing)) + (inverse ? " inverse" : ""), w, g, 0);
      }
    for (double scale : {0.3, 40.0}) {
      const int64_t b = 3, n = 6;
      Tensor x = rnd({b, n, n}, dt, -scale, scale), e = rnd({b, n, n}, dt);
      e.select(0, 1).fill(0);
      Tensor w = Tensor::empty({b, n, n}, dt), g = Tensor::empty({b, n, n}, dt);
      cpu::expm(w, x);
      cuda::expm(g, x);
      const double etol = dt == DType::Float32 ? 1e-5 : 1e-10;
      compare(ds + " expm scale " + std::to_string(scale), w, g, etol);
      Tensor fw = Tensor::empty({b, n, n}, dt), fg = Tensor::empty({b, n, n}, dt);
      fg.fill(9);
      cpu::expm_frechet(fw, x, e);
      cuda::expm_frechet(fg, x, e);
      compare(ds + " expm_frechet scale " + std::to_string(scale), fw, fg, etol);
      Tensor lw = Tensor::empty({b}, dt), lg = Tensor::empty({b}, dt), gw = Tensor::empty({b, n, n}, dt),
             gg = Tensor::empty({b, n, n}, dt);
      cpu::log_trace_expm(lw, &gw, x);
      cuda::log_trace_expm(lg, &gg, x);
      compare(ds + " log_trace_expm scale " + std::to_string(scale), lw, lg, etol);
      compare(ds + " log_trace_expm grad scale " + std::to_string(scale), gw, gg, etol);
    }
  }
  std::printf("%d failures\n", failures);
  return failures != 0;
}
