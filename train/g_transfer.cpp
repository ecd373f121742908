#include "train/g_transfer.h"

#include <map>
#include <stdexcept>

namespace pldr {

std::unique_ptr<PldrModel> transfer_to_predefined_G(const PldrModel& trained, std::vector<Tensor> G) {
  PldrConfig c = trained.config();
  if (c.custom_G_type != GType::Learned)
    throw std::invalid_argument("G transfer: the trained model must have a learned G");
  const Shape expected{1, c.num_attention_heads, c.head_dim, c.head_dim};
  if (static_cast<int64_t>(G.size()) != c.num_hidden_layers)
    throw std::invalid_argument("G transfer: " + std::to_string(G.size()) + " G given for " +
                                std::to_string(c.num_hidden_layers) + " layers");
  for (const Tensor& g : G)
    if (g.shape() != expected)
      throw std::invalid_argument("G transfer: a G of shape " + to_string(g.shape()) + ", the model needs " +
                                  to_string(expected));
  c.custom_G_type = GType::External;
  auto model = std::make_unique<PldrModel>(c, trained.dtype());
  std::map<std::string, const ag::Variable*> source;
  const auto named = trained.named_parameters();
  for (const auto& [name, p] : named) source[name] = &p;
  for (auto& [name, p] : model->named_parameters()) {
    const auto it = source.find(name);
    if (it == source.end() || it->second->shape() != p.shape())
      throw std::invalid_argument("G transfer: the trained model has no parameter " + name + " of shape " +
                                  to_string(p.shape()));
    p.mutable_value() = it->second->value().clone();
  }
  for (Tensor& g : G) g = g.to(trained.dtype()).contiguous();
  model->predefined_G = std::move(G);
  return model;
}

}  // namespace pldr
