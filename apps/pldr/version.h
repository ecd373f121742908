// The version `pldr --version` prints: the source tree's `git describe` when CMake configured the
// build (with -dirty for uncommitted changes), else "unknown".
#pragma once

namespace pldr::cli {

const char* version();

}  // namespace pldr::cli
