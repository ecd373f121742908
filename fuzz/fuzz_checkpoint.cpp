// libFuzzer target: the checkpoint reader (HDF5 through io/, the run configuration, every tensor
// and the optimiser state). Any input either loads or throws an exception naming the problem.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "fuzz/fuzz_input_file.h"
#include "train/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = pldr::fuzz::input_as_file(data, size, ".h5");
  try {
    pldr::LoadedCheckpoint c = pldr::load_checkpoint(path);
    pldr::optim::AdamW optimizer(c.model->parameters(), {});
    pldr::load_optimizer_state(path, *c.model, optimizer);
  } catch (const std::exception&) {
  }
  return 0;
}
