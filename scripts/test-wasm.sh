#!/usr/bin/env bash
# The embedded configuration (no HDF5, no SentencePiece) built with emscripten into build-wasm/:
# `pldr generate` run in node, and the web page of examples/web/ run in headless Chromium, must
# both generate the ids the native build generates on the bundled tiny model (greedy), and the page
# the text native writes on the bundled Shakespeare export. Leaves the page's screenshots
# in build-wasm/. Installs emscripten, node and Chromium first
# (scripts/install-deps.sh wasm).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
prompt=5,17,3
new_tokens=12

bash scripts/install-deps.sh wasm

# Debian's emscripten runs node scripts that need Debian's node modules (acorn), which a node
# from elsewhere (NodeSource) does not look for; the page check needs a WebSocket client, behind
# a flag before node 22.
export NODE_PATH=/usr/share/nodejs
websocket=""
node -e 'typeof WebSocket === "function" || process.exit(1)' || websocket=--experimental-websocket

# Emscripten's sysroot hides the host's packages; Eigen and nlohmann_json are headers only, so
# their CMake files are copied into build-wasm/host/, whose include/ holds just those headers (the
# host's /usr/include itself must not reach em++).
host=$root/build-wasm/host
mkdir -p "$host/include" "$host/share/cmake" "$host/share/eigen3"
ln -sfn /usr/include/eigen3 "$host/include/eigen3"
ln -sfn /usr/include/nlohmann "$host/include/nlohmann"
cp -r /usr/share/eigen3/cmake "$host/share/eigen3/"
cp -r /usr/share/cmake/nlohmann_json "$host/share/cmake/"

emcmake cmake -S . -B build-wasm -DCMAKE_BUILD_TYPE=Release -DPLDR_WITH_HDF5=OFF -DPLDR_WITH_SENTENCEPIECE=OFF \
  -DPLDR_BUILD_BENCH=OFF -DPLDR_BUILD_TESTS=OFF -DPLDR_NATIVE=OFF -DPLDR_OPENMP=OFF -DPLDR_INSTALL=OFF \
  -DEigen3_DIR="$host/share/eigen3/cmake" -Dnlohmann_json_DIR="$host/share/cmake/nlohmann_json" > /dev/null
cmake --build build-wasm -j "$(nproc)" --target pldr pldr_web

# The native reference: the minimal build's pldr (scripts/test-minimal.sh), configured when
# missing and always brought up to date.
native=build-minimal/apps/pldr
if [ ! -f build-minimal/CMakeCache.txt ]; then
  cmake -S . -B build-minimal -DCMAKE_BUILD_TYPE=Release -DPLDR_WITH_HDF5=OFF -DPLDR_WITH_SENTENCEPIECE=OFF \
    -DPLDR_BUILD_BENCH=OFF > /dev/null
fi
cmake --build build-minimal -j "$(nproc)" --target pldr

model=build-wasm/tiny
cmake -DOUT="$model" -P scripts/make-tiny-hf-folder.cmake
generate=(generate --hf "$model" --ids "$prompt" --greedy --max-new-tokens "$new_tokens")
expected=$("$native" "${generate[@]}")
[ -n "$expected" ] || { echo "test-wasm: the native pldr generated nothing" >&2; exit 1; }

echo "== pldr.js in node =="
got=$(node build-wasm/apps/pldr.js "${generate[@]}")
if [ "$got" != "$expected" ]; then
  echo "test-wasm: node build-wasm/apps/pldr.js generated $got, the native $native $expected" >&2
  exit 1
fi
echo "node and native both generate $expected after $prompt"

echo "== examples/web in headless Chromium =="
site=build-wasm/site  # what the server serves: the page, the module, the model
mkdir -p "$site"
cp examples/web/index.html examples/web/page.js examples/web/worker.js \
  build-wasm/examples/web/pldr_web.js build-wasm/examples/web/pldr_web.wasm "$site/"
rm -rf "$site/model" && cp -r "$model" "$site/model"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$site" "$port" > build-wasm/http.log 2>&1 &
server=$!
trap 'kill $server' EXIT
for _ in $(seq 50); do
  (: < "/dev/tcp/127.0.0.1/$port") 2> /dev/null && break  # the server listens
  sleep 0.1
done
url="http://127.0.0.1:$port/index.html?model=model&ids=$prompt&greedy=1&n=$new_tokens"
page_ids=$(node $websocket scripts/wasm-page-check.mjs "$url" build-wasm/web-page.png 120)
if [ "$page_ids" != "$expected" ]; then
  echo "test-wasm: the web page generated $page_ids, the native $native $expected" >&2
  exit 1
fi
echo "the web page and native both generate $expected after $prompt (screenshot: build-wasm/web-page.png)"

# Text in and out on the bundled Shakespeare export (with its tokenizer): the page's text must be
# native's.
text_model=tests/data/shakespeare_hf
text_prompt="ROMEO:"
expected=$("$native" generate --hf "$text_model" --prompt "$text_prompt" --greedy --max-new-tokens 30)
rm -rf "$site/text-model" && cp -r "$text_model" "$site/text-model"
url="http://127.0.0.1:$port/index.html?model=text-model&prompt=$text_prompt&greedy=1&n=30"
page_text=$(node $websocket scripts/wasm-page-check.mjs "$url" build-wasm/web-page-text.png 120 text)
if [ "$page_text" != "$expected" ]; then
  printf 'test-wasm: the web page wrote\n%s\nthe native %s\n%s\n' "$page_text" "$native" "$expected" >&2
  exit 1
fi
echo "the web page and native both write '$expected' on $text_model (screenshot: build-wasm/web-page-text.png)"
