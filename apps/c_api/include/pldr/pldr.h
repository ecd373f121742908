/* pldr.h: the C API of pldr (C99), for C programs and for any language with a C foreign-function
 * interface (Python ctypes, Rust, Swift). Open a PLDR-LLM, tokenize, evaluate logits, generate
 * with a per-token callback, read the deductive outputs of the last forward pass.
 *
 * Every function returns a pldr_status. PLDR_OK is 0; on any other status, pldr_last_error()
 * gives a message naming the problem. No C++ exception crosses this API. A model handle must not
 * be used by two threads at once.
 *
 * Shapes: V vocabulary, T tokens, L layers, H heads, dk head width. Arrays are row-major. */
#ifndef PLDR_H
#define PLDR_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define PLDR_API __attribute__((visibility("default")))
#else
#define PLDR_API
#endif

/* In C++ (the implementation) the enums have int as their type: any value a C caller passes is
 * then one the implementation may read, and reject with PLDR_ERR_INVALID_ARGUMENT. */
#ifdef __cplusplus
#define PLDR_INT_ENUM : int
#else
#define PLDR_INT_ENUM
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pldr_status PLDR_INT_ENUM {
  PLDR_OK = 0,
  PLDR_ERR_INVALID_ARGUMENT = 1, /* a NULL pointer, an option out of range, a token id outside [0, V) */
  PLDR_ERR_BUFFER_TOO_SMALL = 2, /* an output array shorter than the result; the needed size is reported */
  PLDR_ERR_LOAD = 3,             /* the model or tokenizer could not be read (missing, damaged, inconsistent) */
  PLDR_ERR_UNSUPPORTED = 4,      /* this build lacks it: checkpoints (HDF5), CUDA */
  PLDR_ERR_NO_TOKENIZER = 5,     /* the model was opened without a tokenizer */
  PLDR_ERR_NO_FORWARD_PASS = 6,  /* deductive outputs asked for before any forward pass */
  PLDR_ERR_OUT_OF_MEMORY = 7,
  PLDR_ERR_RUNTIME = 8 /* a failure while computing (NaN logits, a device error) */
} pldr_status;

/* The message of this thread's last call: empty after a call that returned PLDR_OK. The pointer
 * stays valid until this thread's next pldr_ call. Never NULL. */
PLDR_API const char* pldr_last_error(void);

/* A short name of a status ("PLDR_ERR_LOAD"). */
PLDR_API const char* pldr_status_name(pldr_status status);

/* What this build of the library can do. */
typedef enum pldr_feature PLDR_INT_ENUM {
  PLDR_FEATURE_CHECKPOINTS = 0, /* HDF5 checkpoints (pldr train's output) */
  PLDR_FEATURE_TOKENIZER = 1,   /* SentencePiece tokenizers: pldr_tokenize, pldr_detokenize (every build) */
  PLDR_FEATURE_CUDA = 2         /* the CUDA backend is compiled in (a GPU may still be absent) */
} pldr_feature;

/* 1 when the build has the feature, 0 when not (or for an unknown feature). */
PLDR_API int pldr_has_feature(pldr_feature feature);

/* ---- Opening a model ---------------------------------------------------------------------- */

typedef struct pldr_model pldr_model;

typedef enum pldr_dtype PLDR_INT_ENUM { PLDR_DTYPE_FLOAT32 = 0, PLDR_DTYPE_FLOAT64 = 1 } pldr_dtype;
typedef enum pldr_device PLDR_INT_ENUM { PLDR_DEVICE_CPU = 0, PLDR_DEVICE_CUDA = 1 } pldr_device;

typedef struct pldr_model_params {
  pldr_dtype dtype;           /* the parameters are converted to it; default float32 */
  pldr_device device;         /* default CPU */
  int32_t threads;            /* CPU threads of this model's calls; 0: PLDR_NUM_THREADS, else all cores */
  const char* tokenizer_path; /* a SentencePiece .model; NULL: the one the folder or checkpoint names */
} pldr_model_params;

/* The defaults above. */
PLDR_API pldr_model_params pldr_model_default_params(void);

/* Opens `path`: a folder is read as a Hugging Face PLDR-LLM folder (config.json, model.safetensors
 * or its shards, tokenizer.model when present), a file as a pldr checkpoint (.h5). `params` may be
 * NULL for the defaults. The tokenizer is loaded when the model names one
 * (or tokenizer_path is given); a model without one still evaluates and generates token ids.
 * On success *model is the new handle (free it with pldr_model_free); on failure *model is NULL. */
PLDR_API pldr_status pldr_model_open(const char* path, const pldr_model_params* params, pldr_model** model);

/* Frees the model and everything it holds. NULL is allowed and does nothing. */
PLDR_API void pldr_model_free(pldr_model* model);

typedef struct pldr_model_info {
  int32_t vocab_size;           /* V: logits per position */
  int32_t max_positions;        /* max_position_embeddings: prompt + new tokens may not exceed it */
  int32_t num_layers;           /* L */
  int32_t num_heads;            /* H */
  int32_t head_dim;             /* dk: each deductive output of a layer is [H, dk, dk] */
  int32_t hidden_size;          /* d */
  int32_t eos_id;               /* [END]: generation stops after it unless told not to */
  int32_t has_tokenizer;        /* 1 when pldr_tokenize and pldr_detokenize work on this model */
  int32_t tokenizer_vocab_size; /* the tokenizer's pieces, or 0 without one */
} pldr_model_info;

PLDR_API pldr_status pldr_model_get_info(const pldr_model* model, pldr_model_info* info);

/* ---- Tokenizer (PLDR_FEATURE_TOKENIZER) --------------------------------------------------- */

/* The ids of `text` as a prompt (no [START], no [END]). *n_ids receives the number of ids the text
 * has; they are written to ids when capacity suffices, else PLDR_ERR_BUFFER_TOO_SMALL (ids may be
 * NULL with capacity 0 to ask for the count). */
PLDR_API pldr_status pldr_tokenize(pldr_model* model, const char* text, int32_t* ids, size_t capacity, size_t* n_ids);

/* The text of n_ids ids, NUL-terminated. *length receives its length without the NUL; the text is
 * written when capacity >= *length + 1, else PLDR_ERR_BUFFER_TOO_SMALL (text may be NULL with
 * capacity 0 to ask for the length). Control ids ([PAD], [START], [END]) decode to "". */
PLDR_API pldr_status pldr_detokenize(pldr_model* model, const int32_t* ids, size_t n_ids, char* text, size_t capacity,
                                     size_t* length);

/* ---- Logits ------------------------------------------------------------------------------- */

/* One forward pass over ids [T] (no cache; G from these T tokens) and its logits [T, V] as float:
 * logits needs capacity >= T * V. The pass's deductive outputs replace the previous ones. */
PLDR_API pldr_status pldr_eval(pldr_model* model, const int32_t* ids, size_t n_ids, float* logits, size_t capacity);

/* ---- Generation --------------------------------------------------------------------------- */

/* Called with each generated token, in order (index 0 for the first). Return 0 to go on, non-zero
 * to stop after this token. */
typedef int (*pldr_token_callback)(int32_t token, size_t index, void* user_data);

typedef enum pldr_nucleus PLDR_INT_ENUM {
  PLDR_NUCLEUS_REFERENCE = 0,  /* keep tokens whose inclusive cumulative probability is <= top_p */
  PLDR_NUCLEUS_HUGGINGFACE = 1 /* keep the smallest set whose probability reaches top_p */
} pldr_nucleus;

/* The options of `pldr generate`, with its defaults. */
typedef struct pldr_generation_params {
  int32_t max_new_tokens;       /* > 0; default 100 */
  int32_t greedy;               /* 1: argmax, no draw; default 0 */
  double temperature;           /* > 0; default 1 */
  int32_t top_k;                /* 0: off (default) */
  double top_p;                 /* in (0, 1]; 1: off (default) */
  pldr_nucleus nucleus;         /* default PLDR_NUCLEUS_REFERENCE */
  uint64_t seed;                /* default 0 */
  int32_t use_cache;            /* 1: KV+G cache (default); 0: the whole sequence again at every step */
  int32_t stop_at_end;          /* 1: stop after [END] (default; it is included in the output) */
  pldr_token_callback on_token; /* optional: streaming, and stopping on request */
  void* user_data;              /* passed to on_token */
} pldr_generation_params;

PLDR_API pldr_generation_params pldr_generation_default_params(void);

/* Generates after prompt [T] (T >= 1, T + max_new_tokens <= max_positions). tokens needs capacity
 * >= max_new_tokens; *n_tokens receives how many were generated. `params` may be NULL for the
 * defaults. The deductive outputs are then those of the last decode step (with the cache, the
 * G frozen at the prompt). */
PLDR_API pldr_status pldr_generate(pldr_model* model, const int32_t* prompt, size_t n_prompt,
                                   const pldr_generation_params* params, int32_t* tokens, size_t capacity,
                                   size_t* n_tokens);

/* ---- Deductive outputs (docs/pldr-llm.md §4.5) -------------------------------------------- */

typedef enum pldr_deductive PLDR_INT_ENUM {
  PLDR_DEDUCTIVE_A = 0,    /* metric tensor after the residual metric learner */
  PLDR_DEDUCTIVE_A_LM = 1, /* potential tensor */
  PLDR_DEDUCTIVE_AP = 2,   /* A_LM to the power pw */
  PLDR_DEDUCTIVE_G_LM = 3  /* energy-curvature tensor */
} pldr_deductive;

/* One deductive output of `layer` from the last forward pass (pldr_eval or pldr_generate), as float
 * [H, dk, dk]: values needs capacity >= H * dk * dk, and *count receives that number. A model with
 * a predefined G has zeros for A, A_LM and Ap. */
PLDR_API pldr_status pldr_get_deductive(const pldr_model* model, pldr_deductive which, int32_t layer, float* values,
                                        size_t capacity, size_t* count);

#ifdef __cplusplus
}
#endif

#endif /* PLDR_H */
