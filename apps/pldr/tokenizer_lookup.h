// Where a checkpoint's tokenizer is: the run configuration stores the path training used, which
// may be relative to another folder or gone when the run was moved. The checkpoint also records
// the tokenizer's identity, so a file of the same name beside the checkpoint is found and checked.
#pragma once
#include <string>

namespace pldr::cli {

// The first of: the stored path's file name beside the checkpoint, tokenizer.model beside it, the
// stored path; each must have `identity` when one is recorded. Throws naming the places tried and
// --tokenizer when none exists.
std::string find_checkpoint_tokenizer(const std::string& checkpoint_path, const std::string& stored_path,
                                      const std::string& identity);

}  // namespace pldr::cli
