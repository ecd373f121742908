// Checks, before a command computes anything, that the files it will write can be written: an
// evaluation or a generation is not lost at the end to a missing folder or a read-only disk.
#pragma once
#include <string>

namespace pldr::cli {

// Throws (naming `flag` and the reason) unless a file can be created beside `path`, in an existing
// folder, and `path` is not a folder. Leaves nothing behind.
void check_can_write(const std::string& path, const std::string& flag);

// The same for a folder that will be written into: creates it when absent.
void check_can_write_into(const std::string& dir, const std::string& flag);

}  // namespace pldr::cli
