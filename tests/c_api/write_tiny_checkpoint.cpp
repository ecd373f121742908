// The C API test's checkpoint fixtures: a small random float32 checkpoint (vocabulary 32000, 64
// positions) that names the published tokenizer, for the calls that need a tokenizer, and the same
// naming a tokenizer that does not exist (as when a checkpoint moves to another machine).
//   write_tiny_checkpoint PATH MOVED_PATH
#include <cstdio>
#include <exception>

#include "tests/apps/tiny_checkpoint.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: write_tiny_checkpoint PATH MOVED_PATH\n");
    return 2;
  }
  try {
    pldr::testing::save_tiny_checkpoint(argv[1], 64, 11);
    const pldr::LoadedCheckpoint c = pldr::load_checkpoint(argv[1]);
    pldr::RunConfig moved = c.config;
    moved.tokenizer = "/moved/away/tokenizer.model";
    pldr::save_checkpoint(argv[2], moved, *c.model, nullptr, c.state);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_tiny_checkpoint: %s\n", e.what());
    return 1;
  }
  return 0;
}
