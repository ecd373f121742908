# Writes the logits the reference gives for the tiny model's input (tests/data/hf/tiny_expected.json,
# full_forward_logits_gptj: one uncached pass, float64) as plain text for the C test:
#   line 1: T V;  line 2: the T input ids;  then T lines of V logits.
#   cmake -DOUT=FILE -P write_expected_logits.cmake
file(READ "${CMAKE_CURRENT_LIST_DIR}/../data/hf/tiny_expected.json" expected)
string(JSON ids GET "${expected}" input_ids 0)
string(JSON T LENGTH "${expected}" input_ids 0)
string(JSON V LENGTH "${expected}" full_forward_logits_gptj 0)
string(REGEX REPLACE "[][,\n ]+" " " ids "${ids}")
string(STRIP "${ids}" ids)
set(text "${T} ${V}\n${ids}\n")
math(EXPR last_row "${T} - 1")
foreach(t RANGE ${last_row})
  string(JSON row GET "${expected}" full_forward_logits_gptj ${t})
  string(REGEX REPLACE "[][,\n ]+" " " row "${row}")
  string(STRIP "${row}" row)
  string(APPEND text "${row}\n")
endforeach()
file(WRITE "${OUT}" "${text}")
