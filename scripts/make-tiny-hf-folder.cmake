# Writes the bundled tiny PLDR-LLM (tests/data/hf: 2 layers, d=16, vocabulary 50, no tokenizer) as a
# Hugging Face folder, config.json + model.safetensors, for the C API's test and the examples:
#   cmake -DOUT=DIR -P scripts/make-tiny-hf-folder.cmake
# The configuration is the "config" object of tiny_expected.json, whose logits it reproduces.
if(NOT OUT)
  message(FATAL_ERROR "usage: cmake -DOUT=DIR -P make-tiny-hf-folder.cmake")
endif()
set(data "${CMAKE_CURRENT_LIST_DIR}/../tests/data/hf")
file(READ "${data}/tiny_expected.json" expected)
string(JSON config GET "${expected}" config)
file(MAKE_DIRECTORY "${OUT}")
file(WRITE "${OUT}/config.json" "${config}\n")
file(COPY_FILE "${data}/tiny_model.safetensors" "${OUT}/model.safetensors" ONLY_IF_DIFFERENT)
