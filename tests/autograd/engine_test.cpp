// The tape: accumulation into leaves, zero_grad, detach, no-grad scopes, seeds, shared
// subgraphs, errors, deep graphs.
#include <gtest/gtest.h>

#include <pthread.h>

#include <cmath>
#include <functional>
#include <string>

#include "autograd/grad_mode.h"
#include "autograd/ops.h"
#include "gradcheck.h"
#include "tensor/backend.h"
#include "tensor/creation.h"
#include "tensor/ops.h"

namespace pldr {
namespace {

ag::Variable leaf(std::vector<double> v, bool requires_grad = true) {
  const int64_t n = static_cast<int64_t>(v.size());
  return ag::Variable(from_vector(v, {n}), requires_grad);
}

std::vector<double> grad_of(const ag::Variable& v) { return v.grad().to_vector<double>(); }

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(autograd_Engine, GradientsAccumulateOverBackwardCalls) {
  ag::Variable x = leaf({1, 2});
  EXPECT_FALSE(x.grad().defined());
  ag::sum(ag::mul(x, x)).backward();
  EXPECT_EQ(grad_of(x), (std::vector<double>{2, 4}));
  ag::sum(ag::mul(x, x)).backward();
  EXPECT_EQ(grad_of(x), (std::vector<double>{4, 8}));  // 2x + 2x
  ag::sum(ag::mul_scalar(x, 3)).backward();            // a different graph adds too
  EXPECT_EQ(grad_of(x), (std::vector<double>{7, 11}));
}

// A constant operand (an attention mask, say) gets no gradient: its broadcast reduction is not run.
TEST(autograd_Engine, NoGradientWorkForConstants) {
  ag::Variable scores(ones({2, 3, 4}, DType::Float64), true);
  const ag::Variable mask(zeros({2, 1, 4}, DType::Float64));
  const ag::Variable weights(ones({4, 2}, DType::Float64));
  const ag::Variable loss = ag::sum(ag::matmul(ag::add(scores, mask), weights));
  reset_runtime_counts();
  loss.backward();
  EXPECT_EQ(dispatch_count(Op::Sum), 0u) << "no reduction for the mask";
  EXPECT_EQ(dispatch_count(Op::Matmul), 1u) << "no product for the constant weights' gradient";
  EXPECT_TRUE(scores.grad().defined());
  EXPECT_EQ(scores.grad().to_vector<double>()[0], 2.0);
}

// Later gradients are added in place into the first one's buffer, which is the leaf's slot when
// it has one (a flat gradient buffer).
TEST(autograd_Engine, LeafGradientsGoIntoTheirSlotAndAccumulateInPlace) {
  ag::Variable x(ones({3}, DType::Float64), true);
  const Tensor slot = zeros({5}, DType::Float64).slice(0, 1, 4);
  x.set_grad_slot(slot);
  ag::mul_scalar(x, 2.0).backward(ones({3}, DType::Float64));
  EXPECT_TRUE(x.grad().shares_storage(slot));
  ag::mul_scalar(x, 3.0).backward(ones({3}, DType::Float64));
  EXPECT_TRUE(x.grad().shares_storage(slot));
  EXPECT_EQ(slot.to_vector<double>(), (std::vector<double>{5, 5, 5}));
}

// Rules offered a parameter's slot (linear, layer_norm, embedding, add, matmul) write its first
// gradient there: no copy, no buffer of its own, the same values as without slots. A parameter
// used twice gets the sum.
TEST(autograd_Engine, RulesWriteParameterGradientsIntoTheirSlots) {
  const Tensor ids = from_vector<int32_t>({0, 2, 2, 1}, {2, 2});
  const Tensor x_in = testing::random_tensor({2, 2, 3}, 1, -1, 1);
  auto loss_of = [&](const std::vector<ag::Variable>& p) {
    const ag::Variable e = ag::add(ag::embedding(p[0], ids), ag::Variable(x_in));  // [2, 2, 3]
    const ag::Variable h = ag::linear(ag::linear(e, p[1], p[2]), p[1], ag::Variable());
    const ag::Variable y = ag::layer_norm(ag::matmul(h, p[5]), p[3], p[4], 1e-5);
    return ag::sum(ag::mul(y, y));
  };
  auto parameters = [] {
    std::vector<ag::Variable> p;
    const std::vector<Shape> shapes{{3, 3}, {3, 3}, {3}, {3}, {3}, {3, 3}};
    for (size_t i = 0; i < shapes.size(); ++i) p.emplace_back(testing::random_tensor(shapes[i], 10 + i, -1, 1), true);
    return p;
  };
  std::vector<ag::Variable> plain = parameters(), slotted = parameters();
  loss_of(plain).backward();
  Tensor flat = zeros({40}, DType::Float64);
  int64_t offset = 0;
  for (ag::Variable& p : slotted) {
    p.set_grad_slot(flat.storage_view(offset, p.shape()));
    offset += p.value().numel();
  }
  const ag::Variable loss = loss_of(slotted);
  reset_runtime_counts();
  loss.backward();
  // Copying every first gradient into its slot took 7 copies here (6 parameters, and the twice-used
  // weight's sum); now that sum and one dense copy of an upstream gradient remain.
  EXPECT_LE(dispatch_count(Op::Copy), 2u);
  for (size_t i = 0; i < slotted.size(); ++i) {
    EXPECT_TRUE(slotted[i].grad().shares_storage(flat)) << "parameter " << i;
    const std::vector<double> got = slotted[i].grad().to_vector<double>(), want = plain[i].grad().to_vector<double>();
    ASSERT_EQ(got.size(), want.size());
    for (size_t j = 0; j < got.size(); ++j)
      EXPECT_NEAR(got[j], want[j], 1e-12) << "parameter " << i << " [" << j << "]";
  }
}

TEST(autograd_Engine, ZeroGradClears) {
  ag::Variable x = leaf({1, 2});
  ag::sum(ag::mul(x, x)).backward();
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
  ag::sum(ag::mul_scalar(x, 5)).backward();
  EXPECT_EQ(grad_of(x), (std::vector<double>{5, 5}));  // fresh, not added to the cleared one
}

TEST(autograd_Engine, DetachCutsTheTape) {
  ag::Variable x = leaf({2, -3});
  const ag::Variable d = x.detach();
  EXPECT_TRUE(d.is_leaf());
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.value().shares_storage(x.value()));
  ag::Variable y = ag::mul(d, x);  // d/dx [c * x] with c = x held constant
  ag::sum(y).backward();
  EXPECT_EQ(grad_of(x), (std::vector<double>{2, -3}));
  EXPECT_FALSE(d.grad().defined());
  // A detached intermediate stops the gradient there.
  ag::Variable z = ag::exp(x);
  x.zero_grad();
  ag::sum(ag::add(ag::mul(z.detach(), x), x)).backward();
  EXPECT_NEAR(grad_of(x)[0], std::exp(2.0) + 1, 1e-12);
  EXPECT_THROW(ag::sum(ag::exp(x.detach())).backward(), std::invalid_argument);  // nothing requires grad
}

TEST(autograd_Engine, NoGradScopeRecordsNothingAndRestoresTheMode) {
  ag::Variable x = leaf({1, 2});
  ASSERT_TRUE(ag::grad_enabled());
  {
    ag::NoGradGuard guard;
    EXPECT_FALSE(ag::grad_enabled());
    const ag::Variable y = ag::mul(ag::exp(x), x);
    EXPECT_TRUE(y.is_leaf());
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
    EXPECT_NEAR(y.value().to_vector<double>()[1], 2 * std::exp(2.0), 1e-12);  // values still computed
    EXPECT_THROW(ag::sum(y).backward(), std::invalid_argument);
    {
      ag::NoGradGuard nested;  // restores "off", the mode it found
      EXPECT_FALSE(ag::grad_enabled());
    }
    EXPECT_FALSE(ag::grad_enabled());
  }
  EXPECT_TRUE(ag::grad_enabled());
  const ag::Variable z = ag::exp(x);
  EXPECT_FALSE(z.is_leaf());
  EXPECT_TRUE(z.requires_grad());
  ASSERT_NE(z.grad_fn(), nullptr);
  EXPECT_STREQ(z.grad_fn()->op, "exp");
  EXPECT_FALSE(x.grad().defined());
}

TEST(autograd_Engine, NoGradGuardRestoresOnException) {
  try {
    ag::NoGradGuard guard;
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  EXPECT_TRUE(ag::grad_enabled());
}

TEST(autograd_Engine, RecordAttachesANodeOnlyWhenNeeded) {
  const ag::Variable c = leaf({1}, false), x = leaf({2});
  EXPECT_TRUE(ag::add(c, c).is_leaf());  // no input requires grad
  const ag::Variable y = ag::add(c, x);
  ASSERT_NE(y.grad_fn(), nullptr);
  EXPECT_STREQ(y.grad_fn()->op, "add");
  ASSERT_EQ(y.grad_fn()->inputs.size(), 2u);
  EXPECT_EQ(y.grad_fn()->inputs[1].id(), x.id());
  ag::sum(y).backward();
  EXPECT_FALSE(c.grad().defined());  // constants get no gradient
  EXPECT_EQ(grad_of(x), std::vector<double>{1});
}

TEST(autograd_Engine, NonScalarBackwardNeedsASeed) {
  ag::Variable x = leaf({1, 2, 3});
  const ag::Variable y = ag::mul(x, x);
  const std::string msg = message_of([&] { y.backward(); });
  EXPECT_NE(msg.find("[3]"), std::string::npos) << msg;
  EXPECT_THROW(y.backward(), std::invalid_argument);
  EXPECT_THROW(y.backward(ones({2}, DType::Float64)), std::invalid_argument);  // seed of the wrong shape
  y.backward(from_vector(std::vector<double>{1, 0.5, -1}, {3}));
  EXPECT_EQ(grad_of(x), (std::vector<double>{2, 2, -6}));  // seed * 2x
}

TEST(autograd_Engine, LeafGradientsAreOwnCopies) {
  ag::Variable x = leaf({1, 2});
  Tensor seed = from_vector(std::vector<double>{3, 4}, {2});
  x.backward(seed);  // backward from the leaf itself: grad = seed
  EXPECT_EQ(grad_of(x), (std::vector<double>{3, 4}));
  EXPECT_FALSE(x.grad().shares_storage(seed));
  seed.fill(0);
  EXPECT_EQ(grad_of(x), (std::vector<double>{3, 4}));
  // Two leaves fed the same upstream gradient (add) do not share it.
  ag::Variable a = leaf({1, 1}), b = leaf({2, 2});
  ag::sum(ag::add(a, b)).backward();
  EXPECT_FALSE(a.grad().shares_storage(b.grad()));
}

TEST(autograd_Engine, SharedSubgraphsGetTheSummedGradient) {
  // The same variable twice in one op.
  ag::Variable x = leaf({3});
  ag::sum(ag::mul(x, x)).backward();
  EXPECT_EQ(x.grad().item(), 6.0);
  // A diamond: u = exp(x) feeds two branches that meet again; dv/dx = (2u + 1) u.
  ag::Variable w = leaf({0.5});
  const ag::Variable u = ag::exp(w);
  ag::sum(ag::add(ag::mul(u, u), u)).backward();
  const double e = std::exp(0.5);
  EXPECT_NEAR(w.grad().item(), (2 * e + 1) * e, 1e-12);
  // x reaching the output along a long and a short path.
  ag::Variable z = leaf({1.5});
  ag::Variable y = ag::add(ag::mul_scalar(ag::exp(ag::mul_scalar(z, 2)), 0.5), z);  // e^{2z}/2 + z
  y.backward(ones({1}, DType::Float64));
  EXPECT_NEAR(z.grad().item(), std::exp(3.0) + 1, 1e-12);
}

TEST(autograd_Engine, IntermediateGradientsAreNotKept) {
  ag::Variable x = leaf({1, 2});
  const ag::Variable y = ag::exp(x);
  ag::sum(y).backward();
  EXPECT_FALSE(y.grad().defined());
  EXPECT_TRUE(x.grad().defined());
}

TEST(autograd_Engine, MaxSplitsTheGradientBetweenTies) {
  ag::Variable x = leaf({1, 3, 3, 2});
  ag::max(x).backward();
  EXPECT_EQ(grad_of(x), (std::vector<double>{0, 0.5, 0.5, 0}));
  ag::Variable m(from_vector(std::vector<double>{5, 5, 5, 1, 2, 2}, {2, 3}), true);
  ag::sum(ag::max(m, {1})).backward();
  const std::vector<double> g = grad_of(m);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(g[i], 1.0 / 3, 1e-15);
  EXPECT_EQ(g[3], 0);
  EXPECT_EQ(g[4], 0.5);
  EXPECT_EQ(g[5], 0.5);
}

TEST(autograd_Engine, UnusedPartsGetZeroGradient) {
  ag::Variable x(from_vector(std::vector<double>{1, 2, 3, 4, 5}, {5}), true);
  const std::vector<ag::Variable> parts = ag::split(x, 0, {2, 3});
  ag::sum(ag::mul_scalar(parts[1], 2)).backward();
  EXPECT_EQ(grad_of(x), (std::vector<double>{0, 0, 2, 2, 2}));
  EXPECT_THROW(ag::split(x, 0, {2, 2}), std::invalid_argument);
}

TEST(autograd_Engine, Float32GraphsGiveFloat32Gradients) {
  ag::Variable x(from_vector(std::vector<float>{0.5f, -1.f}, {2}), true);
  ag::sum(ag::mul(ag::sigmoid(x), x)).backward();
  EXPECT_EQ(x.grad().dtype(), DType::Float32);
  const double s = 1 / (1 + std::exp(-0.5));
  EXPECT_NEAR(grad_of(x)[0], s + 0.5 * s * (1 - s), 1e-6);
}

TEST(autograd_Engine, AnOpWithoutABackwardThrowsNamingIt) {
  ag::Variable x = leaf({1, 2});
  const ag::Variable y = ag::record(x.value(), "my_op", {x}, nullptr);
  EXPECT_FALSE(y.is_leaf());
  const std::string msg = message_of([&] { ag::sum(y).backward(); });
  EXPECT_NE(msg.find("my_op"), std::string::npos) << msg;
  EXPECT_THROW(ag::sum(y).backward(), std::logic_error);
}

TEST(autograd_Engine, AGradientOfTheWrongShapeThrowsNamingTheOp) {
  ag::Variable x = leaf({1, 2});
  const ag::Variable y = ag::record(x.value().clone(), "bad_shape_op", {x},
                                    [](const Tensor& g) { return std::vector<Tensor>{ones({3}, DType::Float64)}; });
  const std::string msg = message_of([&] { ag::sum(y).backward(); });
  EXPECT_NE(msg.find("bad_shape_op"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[3]"), std::string::npos) << msg;
}

// Runs f on a new thread with a stack of `bytes`, returning the message of anything it throws.
std::string run_on_small_stack(size_t bytes, const std::function<void()>& f) {
  struct Job {
    const std::function<void()>* f;
    std::string error;
  } job{&f, ""};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, bytes);
  pthread_t thread;
  const int rc = pthread_create(
      &thread, &attr,
      [](void* p) -> void* {
        Job& j = *static_cast<Job*>(p);
        j.error = message_of(*j.f);
        return nullptr;
      },
      &job);
  pthread_attr_destroy(&attr);
  if (rc != 0) return "pthread_create failed";
  pthread_join(thread, nullptr);
  return job.error;
}

TEST(autograd_Engine, DeepChainsDoNotOverflowTheStack) {
  // 20000 ops in a chain. backward() runs on a 512 KiB stack: a recursive walk of the graph needs
  // at least one frame per op (some tens of bytes each, 20000 of them: over 1 MiB) and would crash
  // there; the iterative one needs a few frames whatever the depth.
  ag::Variable x = leaf({1});
  ag::Variable y = x;
  for (int i = 0; i < 10000; ++i) y = ag::add_scalar(ag::mul_scalar(y, 1.0), 1e-3);
  const ag::Variable f = ag::sum(y);
  const std::string error = run_on_small_stack(512 * 1024, [&] { f.backward(); });
  EXPECT_EQ(error, "");
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().item(), 1.0);
  EXPECT_NEAR(y.item(), 1 + 10000 * 1e-3, 1e-9);
}

TEST(autograd_Engine, DeepGraphsAreFreedWithoutRecursion) {
  // Dropping the last reference to a 40000-op chain on a 512 KiB stack: a destructor that
  // released each node's inputs by recursion would need a few frames per op and crash there.
  ag::Variable x = leaf({1});
  ag::Variable y = x;
  for (int i = 0; i < 20000; ++i) y = ag::add_scalar(ag::mul_scalar(y, 1.0), 1e-3);
  std::weak_ptr<ag::Node> first_node = [&] {
    ag::Variable walk = y;
    while (walk.grad_fn()->inputs[0].grad_fn()) walk = walk.grad_fn()->inputs[0];
    return std::weak_ptr<ag::Node>(walk.grad_fn());
  }();
  ASSERT_FALSE(first_node.expired());
  const std::string error = run_on_small_stack(512 * 1024, [&] { y = ag::Variable(); });
  EXPECT_EQ(error, "");
  EXPECT_TRUE(first_node.expired()) << "the whole chain is freed";
  EXPECT_TRUE(x.defined());  // the leaf outlives the graph
}

}  // namespace
}  // namespace pldr
