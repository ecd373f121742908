// Writing a file so that it is either the old file or the complete new one, never a half-written
// one: the writer fills a temporary file in the same folder, which is then fsynced and renamed
// over the final path (and the folder fsynced). If the writer throws, the temporary file is
// removed and the old file stays as it was.
#pragma once
#include <functional>
#include <string>

namespace pldr::io {

void write_atomically(const std::string& final_path, const std::function<void(const std::string& tmp_path)>& writer);

}  // namespace pldr::io
