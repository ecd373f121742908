#!/usr/bin/env bash
# Every C++ and CUDA source is formatted as .clang-format says (clang-format 14, Debian 12's).
# Skips (exit 77) where clang-format is not installed. Fix a failure with:
#   clang-format -i $(git ls-files '*.h' '*.cpp' '*.cu' '*.cuh')
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"
command -v clang-format > /dev/null || { echo "clang-format not installed: skipped"; exit 77; }
cd "$root" || exit 1
mapfile -t files < <(git ls-files '*.h' '*.cpp' '*.cu' '*.cuh' 2> /dev/null || find . -name '*.h' -o -name '*.cpp' -o -name '*.cu' -o -name '*.cuh')
if ! clang-format --dry-run -Werror "${files[@]}" 2> /tmp/format_test.$$; then
  grep -E "^[^ ].*(error|warning):" /tmp/format_test.$$ | cut -d: -f1 | sort -u | sed 's/^/not formatted: /'
  rm -f /tmp/format_test.$$
  exit 1
fi
rm -f /tmp/format_test.$$
echo "format: ${#files[@]} files as .clang-format says"
