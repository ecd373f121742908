#!/usr/bin/env bash
# The house's layers (README "Folders", docs/ when written): each library folder includes only
# itself and the folders below it, so no arrow runs upward (the model never includes its tools or
# the run around it). Fails naming every include that breaks the rule.
set -u
root="$(cd "$(dirname "$0")/.." && pwd)"

# folder -> the folders it may include besides itself
declare -A below=(
  [tensor]=""
  [autograd]="tensor"
  [nn]="tensor autograd"
  [optim]="tensor autograd"
  [dist]="tensor autograd"
  [io]="tensor"
  [data]="tensor io"
  [pldr]="tensor autograd nn"
  [interop]="tensor autograd nn pldr io"
  [train]="tensor autograd nn pldr io optim data dist"
  [eval]="tensor autograd nn pldr io data"
  [reference]="tensor autograd nn pldr io optim data dist train"
)

bad=0
for folder in "${!below[@]}"; do
  allowed=" $folder ${below[$folder]} "
  while IFS= read -r hit; do
    included=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<< "$hit")
    if [[ "$allowed" != *" $included "* ]]; then
      echo "upward include: $hit"
      bad=1
    fi
  done < <(cd "$root" && grep -rnE '^#include "[a-z_]+/' "$folder" --include='*.h' --include='*.cpp' --include='*.cu' --include='*.cuh')
done
[ "$bad" = 0 ] || exit 1
echo "layering: every include of ${#below[@]} library folders points to the folder itself or below"
