#!/usr/bin/env python3
"""Loads a PLDR-LLM through the C API with ctypes and generates greedily, printing each token id
as it comes (the token callback could stop the generation by returning 1).

    PLDR_LIBRARY=PREFIX/lib/libpldr_c.so python3 generate.py MODEL 5,17,3 [N]
"""
import ctypes
import os
import sys


class GenerationParams(ctypes.Structure):  # pldr_generation_params, field by field
    _fields_ = [("max_new_tokens", ctypes.c_int32), ("greedy", ctypes.c_int32), ("temperature", ctypes.c_double),
                ("top_k", ctypes.c_int32), ("top_p", ctypes.c_double), ("nucleus", ctypes.c_int),
                ("seed", ctypes.c_uint64), ("use_cache", ctypes.c_int32), ("stop_at_end", ctypes.c_int32),
                ("on_token", ctypes.c_void_p), ("user_data", ctypes.c_void_p)]


TokenCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int32, ctypes.c_size_t, ctypes.c_void_p)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: generate.py MODEL PROMPT_IDS [N]")
    lib = ctypes.CDLL(os.environ.get("PLDR_LIBRARY", "libpldr_c.so"))
    lib.pldr_last_error.restype = ctypes.c_char_p
    lib.pldr_generation_default_params.restype = GenerationParams

    def check(status):
        if status != 0:
            sys.exit("pldr: " + lib.pldr_last_error().decode())

    model = ctypes.c_void_p()
    check(lib.pldr_model_open(sys.argv[1].encode(), None, ctypes.byref(model)))
    prompt = [int(i) for i in sys.argv[2].split(",")]
    params = lib.pldr_generation_default_params()
    params.max_new_tokens = int(sys.argv[3]) if len(sys.argv) > 3 else 16
    params.greedy = 1

    def print_token(token, index, _):
        print(("," if index else "") + str(token), end="", flush=True)
        return 0

    callback = TokenCallback(print_token)  # kept alive until pldr_generate returns
    params.on_token = ctypes.cast(callback, ctypes.c_void_p)
    ids = (ctypes.c_int32 * len(prompt))(*prompt)
    tokens = (ctypes.c_int32 * params.max_new_tokens)()
    count = ctypes.c_size_t()
    check(lib.pldr_generate(model, ids, ctypes.c_size_t(len(prompt)), ctypes.byref(params), tokens,
                            ctypes.c_size_t(params.max_new_tokens), ctypes.byref(count)))
    print()
    lib.pldr_model_free(model)


if __name__ == "__main__":
    main()
