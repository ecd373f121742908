# WebAssembly builds (emcmake cmake; scripts/test-wasm.sh): the library throws and catches C++
# exceptions, which emscripten leaves out unless asked, and a model's weights need a heap that grows.
add_compile_options(-fexceptions)
add_link_options(-fexceptions -sALLOW_MEMORY_GROWTH=1)
