// Stands in for the CUDA header in the host emulation (emulated_cuda.h).
#pragma once
#include "emulated_cuda.h"
