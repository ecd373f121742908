#include "interop/inspect.h"

#include "autograd/grad_mode.h"
#include "io/atomic_file.h"
#include "io/hdf5_file.h"
#include "tensor/creation.h"

namespace pldr::interop {

void write_deductive_outputs(const std::string& path, const PldrModel& model, const std::vector<int32_t>& prompt) {
  ag::NoGradGuard no_grad;
  const ForwardResult r =
      model.forward(from_vector(prompt, {1, static_cast<int64_t>(prompt.size())}, DType::Int32, model.device()));
  io::write_atomically(path, [&](const std::string& tmp) {
    io::H5File f = io::H5File::create(tmp);
    f.write<int32_t>("tokens", prompt.data(), {static_cast<int64_t>(prompt.size())});
    f.write_attribute("/", "num_layers", model.config().num_hidden_layers);
    for (size_t l = 0; l < r.layers.size(); ++l) {
      const LayerDeductive& d = r.layers[l];
      const std::string layer = "/layer" + std::to_string(l);
      for (const auto& [name, v] : {std::pair{"A", &d.A},
                                    {"A_LM", &d.A_LM},
                                    {"Ap", &d.Ap},
                                    {"G_LM", &d.G_LM},
                                    {"scores", &d.scores},
                                    {"E", &d.E}}) {
        const Tensor t = v->value().to(Device::CPU).to(DType::Float64).contiguous();
        f.write<double>(name + layer, t.data<double>(), std::vector<int64_t>(t.shape().begin(), t.shape().end()));
      }
      // The parameters of Hugging Face's output_pldr_attentions tuple (A, A_LM, pw, a, ba, G_LM, E):
      // the learned exponents and the energy-curvature weights and biases, [H, dk, dk].
      if (const PowerLawParameters* p = model.decoder.dec_layers[l]->mha1.plgatt_layer.get())
        for (const auto& [name, v] : {std::pair{"pw", &p->pwlst}, {"a", &p->alst}, {"ba", &p->balst}}) {
          const Tensor t = v->value().to(Device::CPU).to(DType::Float64).contiguous();
          f.write<double>(name + layer, t.data<double>(), std::vector<int64_t>(t.shape().begin(), t.shape().end()));
        }
    }
    f.flush();
  });
}

}  // namespace pldr::interop
