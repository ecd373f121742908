// --device cpu|cuda, shared by the commands that run a model.
#pragma once
#include "apps/flags.h"
#include "tensor/device.h"

namespace pldr::cli {

// The device --device names (cpu when absent). An unknown name is a usage error; a device this
// build or machine cannot use fails here, before any work, with the reason ("--device cuda: no
// CUDA device: ..." or "--device cuda: this build has no CUDA backend ...").
Device device_flag(const Flags& flags);

// Its declaration, for a command's CommandSpec.
FlagSpec device_flag_spec();

}  // namespace pldr::cli
