#!/usr/bin/env bash
# Every file and function that docs/ names exists, so the walkthroughs cannot silently rot.
#
# In each docs/*.md, backticked names are checked:
#   - a path with a folder and an extension (`pldr/attention.cpp`, `apps/configs/x.json`) must be a
#     file of the repository, a path ending in / (`tensor/cpu/`) a folder;
#   - a call `name()`, `ns::name()` or `Type::name()` must name an identifier of the sources: every
#     `::`-separated part must occur as a word in a C++ file outside docs/ (Type::name: both Type and
#     name), which catches renamed and deleted functions and types.
# Usage: docs_test.sh [REPO_ROOT] (default: the folder above this script).
set -euo pipefail

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"
[[ -d docs ]] || { echo "docs_test: no docs/ folder in $root" >&2; exit 1; }

# The C++ sources to search for identifiers (build trees and docs excluded).
mapfile -t sources < <(find . \( -path ./build -o -path './build-*' -o -path ./docs -o -path ./.git \) -prune -o \
  -type f \( -name '*.h' -o -name '*.cpp' -o -name '*.cu' -o -name '*.cuh' \) -print)
(( ${#sources[@]} > 0 )) || { echo "docs_test: no C++ sources under $root" >&2; exit 1; }

failures=0 checked=0
fail() {
  echo "$1: $2" >&2
  failures=$((failures + 1))
}

for doc in docs/*.md; do
  # Backticked spans, one per line (inline code only: fenced blocks hold code, not references).
  while IFS= read -r name; do
    if [[ $name =~ ^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/$ ]]; then
      checked=$((checked + 1))
      [[ -d $name ]] || fail "$doc" "folder \`$name\` does not exist"
    elif [[ $name =~ ^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+\.[A-Za-z0-9]+$ && ! $name =~ ^(runs|build)/ ]]; then
      checked=$((checked + 1))
      [[ -f $name ]] || fail "$doc" "file \`$name\` does not exist"
    elif [[ $name =~ ^([A-Za-z_][A-Za-z0-9_]*::)*[A-Za-z_][A-Za-z0-9_]*\(\)$ ]]; then
      checked=$((checked + 1))
      IFS=':' read -ra parts <<<"${name%()}"
      for part in "${parts[@]}"; do
        [[ -z $part ]] && continue
        grep -qw -- "$part" "${sources[@]}" || fail "$doc" "\`$name\`: no identifier $part in the sources"
      done
    fi
  done < <(awk '/^```/ { fenced = !fenced; next } !fenced' "$doc" | grep -o '`[^`]*`' | tr -d '`')
done

if (( checked == 0 )); then
  echo "docs_test: found nothing to check in docs/*.md" >&2
  exit 1
fi
if (( failures > 0 )); then
  echo "docs_test: $failures of $checked names in docs/ do not exist" >&2
  exit 1
fi
echo "docs_test: all $checked files, folders and functions named in docs/ exist"
