#include "apps/pldr/version.h"

namespace pldr::cli {

const char* version() { return PLDR_VERSION; }

}  // namespace pldr::cli
