/* The C API from C99: open, info, logits against the reference's, generation (greedy against
 * repeated pldr_eval, sampling by seed, the callback streaming and stopping), the deductive
 * outputs, the tokenizer (or its absence), and bad input: missing folders, NULL pointers, wrong
 * sizes, ids outside the vocabulary. Every check prints file, line and the API's message.
 *   c_api_test FIXTURE_DIR [CHECKPOINT MOVED_CHECKPOINT TOKENIZER]
 * FIXTURE_DIR holds tiny_hf/ (scripts/make-tiny-hf-folder.cmake) and expected_logits.txt
 * (write_expected_logits.cmake); in full builds CHECKPOINT (vocabulary 32000) names TOKENIZER and
 * MOVED_CHECKPOINT, the same model, a tokenizer that does not exist. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pldr/pldr.h>

static int failures = 0;

#define CHECK(condition)                                                                                               \
  do {                                                                                                                 \
    if (!(condition)) {                                                                                                \
      fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #condition, pldr_last_error()); \
      ++failures;                                                                                                      \
    }                                                                                                                  \
  } while (0)

/* The call returns `expected` and, for a failure, a message containing `part`. */
#define CHECK_STATUS(call, expected, part)                                                                       \
  do {                                                                                                           \
    pldr_status got_ = (call);                                                                                   \
    if (got_ != (expected) || (got_ != PLDR_OK && !strstr(pldr_last_error(), (part)))) {                         \
      fprintf(stderr, "%s:%d: %s returned %s (wanted %s, message with \"%s\"): %s\n", __FILE__, __LINE__, #call, \
              pldr_status_name(got_), pldr_status_name(expected), (part), pldr_last_error());                    \
      ++failures;                                                                                                \
    }                                                                                                            \
  } while (0)

#define CHECK_OK(call) CHECK_STATUS(call, PLDR_OK, "")

enum { MAX_T = 16, MAX_V = 64 };

static char fixture[512];
static char path_buffer[1024];

static const char* fixture_path(const char* name) {
  snprintf(path_buffer, sizeof path_buffer, "%s/%s", fixture, name);
  return path_buffer;
}

static pldr_model* open_tiny(pldr_dtype dtype) {
  pldr_model_params params = pldr_model_default_params();
  pldr_model* model = NULL;
  params.dtype = dtype;
  params.threads = 1;
  CHECK_OK(pldr_model_open(fixture_path("tiny_hf"), &params, &model));
  if (!model) {
    fprintf(stderr, "cannot go on without the tiny model\n");
    exit(1);
  }
  return model;
}

static size_t argmax(const float* row, size_t n) {
  size_t best = 0, i;
  for (i = 1; i < n; ++i)
    if (row[i] > row[best]) best = i;
  return best;
}

static void test_open_and_bad_paths(void) {
  static int sentinel;
  pldr_model* model = (pldr_model*)&sentinel; /* a failed open must set it to NULL */
  pldr_model_params params = pldr_model_default_params();
  pldr_model_info info;

  CHECK(params.dtype == PLDR_DTYPE_FLOAT32 && params.device == PLDR_DEVICE_CPU && params.threads == 0);
  CHECK(params.tokenizer_path == NULL);
  CHECK_STATUS(pldr_model_open("/no/such/folder", NULL, &model), PLDR_ERR_LOAD, "/no/such/folder");
  CHECK(model == NULL);
  CHECK_STATUS(pldr_model_open(fixture, NULL, &model), PLDR_ERR_LOAD, "config.json"); /* a folder, no model */
  CHECK_STATUS(pldr_model_open(NULL, NULL, &model), PLDR_ERR_INVALID_ARGUMENT, "path is NULL");
  CHECK_STATUS(pldr_model_open(fixture_path("tiny_hf"), NULL, NULL), PLDR_ERR_INVALID_ARGUMENT, "model is NULL");
  /* A file is read as a checkpoint: safetensors is not one, and a build without HDF5 has none. */
  CHECK_STATUS(pldr_model_open(fixture_path("tiny_hf/model.safetensors"), NULL, &model),
               pldr_has_feature(PLDR_FEATURE_CHECKPOINTS) ? PLDR_ERR_LOAD : PLDR_ERR_UNSUPPORTED, "model.safetensors");
  params.dtype = (pldr_dtype)7;
  CHECK_STATUS(pldr_model_open(fixture_path("tiny_hf"), &params, &model), PLDR_ERR_INVALID_ARGUMENT, "dtype");
  params = pldr_model_default_params();
  params.threads = -1;
  CHECK_STATUS(pldr_model_open(fixture_path("tiny_hf"), &params, &model), PLDR_ERR_INVALID_ARGUMENT, "threads");
  params = pldr_model_default_params();
  params.device = PLDR_DEVICE_CUDA;
  if (!pldr_has_feature(PLDR_FEATURE_CUDA))
    CHECK_STATUS(pldr_model_open(fixture_path("tiny_hf"), &params, &model), PLDR_ERR_UNSUPPORTED, "cuda");
  CHECK_STATUS(pldr_model_get_info(NULL, &info), PLDR_ERR_INVALID_ARGUMENT, "model is NULL");
  pldr_model_free(NULL);

  model = open_tiny(PLDR_DTYPE_FLOAT32);
  CHECK(strcmp(pldr_last_error(), "") == 0); /* a success clears the message */
  CHECK_OK(pldr_model_get_info(model, &info));
  CHECK(info.vocab_size == 50 && info.max_positions == 64 && info.num_layers == 2);
  CHECK(info.num_heads == 2 && info.head_dim == 8 && info.hidden_size == 16 && info.eos_id == 3);
  CHECK(info.has_tokenizer == 0 && info.tokenizer_vocab_size == 0);
  CHECK_STATUS(pldr_model_get_info(model, NULL), PLDR_ERR_INVALID_ARGUMENT, "info is NULL");
  pldr_model_free(model);
}

/* The logits of one pass equal the reference's (float64 from the same float32 weights). */
static void test_logits_match_the_reference(pldr_dtype dtype, double tolerance) {
  static float logits[MAX_T * MAX_V];
  int32_t ids[MAX_T];
  double expected, worst = 0;
  size_t T = 0, V = 0, i;
  pldr_model* model = open_tiny(dtype);
  FILE* file = fopen(fixture_path("expected_logits.txt"), "r");
  CHECK(file != NULL);
  if (!file) return;
  CHECK(fscanf(file, "%zu %zu", &T, &V) == 2 && T <= MAX_T && V == 50);
  if (T > MAX_T || V != 50) return;
  for (i = 0; i < T; ++i) CHECK(fscanf(file, "%d", &ids[i]) == 1);
  CHECK_OK(pldr_eval(model, ids, T, logits, T * V));
  for (i = 0; i < T * V && fscanf(file, "%lf", &expected) == 1; ++i)
    if (fabs(logits[i] - expected) > worst) worst = fabs(logits[i] - expected);
  CHECK(i == T * V);
  printf("logits (%s) against the reference: max |diff| %.3g\n", dtype == PLDR_DTYPE_FLOAT64 ? "float64" : "float32",
         worst);
  CHECK(worst < tolerance);
  fclose(file);
  pldr_model_free(model);
}

static void test_eval_bad_input(void) {
  static float logits[MAX_T * MAX_V];
  static int32_t long_prompt[65];
  int32_t ids[3] = {5, 17, 3}, outside[2] = {5, 50}, negative[1] = {-1};
  pldr_model* model = open_tiny(PLDR_DTYPE_FLOAT32);
  CHECK_STATUS(pldr_eval(model, ids, 3, logits, 3 * 50 - 1), PLDR_ERR_BUFFER_TOO_SMALL, "150");
  CHECK_STATUS(pldr_eval(model, ids, 0, logits, 150), PLDR_ERR_INVALID_ARGUMENT, "no token ids");
  CHECK_STATUS(pldr_eval(model, outside, 2, logits, 100), PLDR_ERR_INVALID_ARGUMENT, "token id 50 at index 1");
  CHECK_STATUS(pldr_eval(model, negative, 1, logits, 50), PLDR_ERR_INVALID_ARGUMENT, "token id -1");
  CHECK_STATUS(pldr_eval(model, long_prompt, 65, logits, 0), PLDR_ERR_INVALID_ARGUMENT, "64 positions");
  CHECK_STATUS(pldr_eval(model, NULL, 3, logits, 150), PLDR_ERR_INVALID_ARGUMENT, "ids is NULL");
  CHECK_STATUS(pldr_eval(model, ids, 3, NULL, 150), PLDR_ERR_INVALID_ARGUMENT, "logits is NULL");
  CHECK_STATUS(pldr_eval(NULL, ids, 3, logits, 150), PLDR_ERR_INVALID_ARGUMENT, "model is NULL");
  CHECK_OK(pldr_eval(model, ids, 3, logits, 150));
  pldr_model_free(model);
}

/* Greedy generation without the cache recomputes the whole sequence each step: its tokens are
 * the argmax of pldr_eval's last row, step by step. */
static void test_greedy_generation_follows_eval(void) {
  static float logits[MAX_T * MAX_V];
  int32_t sequence[MAX_T] = {5, 17, 3, 42}, tokens[6];
  size_t n = 4, generated = 0, i;
  pldr_generation_params params = pldr_generation_default_params();
  pldr_model* model = open_tiny(PLDR_DTYPE_FLOAT64);
  CHECK(params.max_new_tokens == 100 && params.temperature == 1.0 && params.top_p == 1.0 && params.use_cache == 1);
  params.greedy = 1;
  params.use_cache = 0;
  params.stop_at_end = 0;
  params.max_new_tokens = 6;
  CHECK_OK(pldr_generate(model, sequence, n, &params, tokens, 6, &generated));
  CHECK(generated == 6);
  for (i = 0; i < generated; ++i, ++n) {
    CHECK_OK(pldr_eval(model, sequence, n, logits, n * 50));
    sequence[n] = (int32_t)argmax(logits + (n - 1) * 50, 50);
    CHECK(tokens[i] == sequence[n]);
  }
  pldr_model_free(model);
}

typedef struct {
  int32_t seen[16];
  size_t indices[16];
  size_t count, stop_after;
} Recorder;

static int record(int32_t token, size_t index, void* user_data) {
  Recorder* r = (Recorder*)user_data;
  r->seen[r->count] = token;
  r->indices[r->count] = index;
  ++r->count;
  return r->count >= r->stop_after;
}

static void test_sampling_and_callback(void) {
  int32_t prompt[2] = {5, 6}, a[10], b[10], c[10];
  size_t na = 0, nb = 0, nc = 0, i;
  Recorder recorder;
  pldr_generation_params params = pldr_generation_default_params();
  pldr_model* model = open_tiny(PLDR_DTYPE_FLOAT32);
  params.max_new_tokens = 10;
  params.stop_at_end = 0;
  params.top_k = 20;
  params.top_p = 0.9;
  params.seed = 42;
  CHECK_OK(pldr_generate(model, prompt, 2, &params, a, 10, &na));
  CHECK_OK(pldr_generate(model, prompt, 2, &params, b, 10, &nb));
  CHECK(na == 10 && nb == 10 && memcmp(a, b, sizeof a) == 0);
  params.seed = 43;
  CHECK_OK(pldr_generate(model, prompt, 2, &params, c, 10, &nc));
  CHECK(nc == 10 && memcmp(a, c, sizeof a) != 0);

  /* Streaming: the callback sees each token in order and stops the generation after the third. */
  memset(&recorder, 0, sizeof recorder);
  recorder.stop_after = 3;
  params.seed = 42;
  params.on_token = record;
  params.user_data = &recorder;
  CHECK_OK(pldr_generate(model, prompt, 2, &params, c, 10, &nc));
  CHECK(nc == 3 && recorder.count == 3);
  for (i = 0; i < 3; ++i) CHECK(c[i] == a[i] && recorder.seen[i] == a[i] && recorder.indices[i] == i);
  pldr_model_free(model);
}

static void test_generation_bad_input(void) {
  int32_t prompt[2] = {5, 6}, tokens[64];
  size_t n = 7;
  pldr_generation_params params = pldr_generation_default_params();
  pldr_model* model = open_tiny(PLDR_DTYPE_FLOAT32);
  params.max_new_tokens = 8;
  CHECK_STATUS(pldr_generate(model, prompt, 2, &params, tokens, 7, &n), PLDR_ERR_BUFFER_TOO_SMALL, "needs 8");
  CHECK(n == 0);
  CHECK_STATUS(pldr_generate(model, prompt, 2, NULL, tokens, 64, &n), PLDR_ERR_INVALID_ARGUMENT,
               "exceed the model's 64 positions"); /* the default 100 new tokens */
  CHECK_STATUS(pldr_generate(model, prompt, 0, &params, tokens, 64, &n), PLDR_ERR_INVALID_ARGUMENT, "no token ids");
  CHECK_STATUS(pldr_generate(model, NULL, 2, &params, tokens, 64, &n), PLDR_ERR_INVALID_ARGUMENT, "ids is NULL");
  CHECK_STATUS(pldr_generate(model, prompt, 2, &params, NULL, 64, &n), PLDR_ERR_INVALID_ARGUMENT, "tokens is NULL");
  CHECK_STATUS(pldr_generate(model, prompt, 2, &params, tokens, 64, NULL), PLDR_ERR_INVALID_ARGUMENT, "n_tokens");
  CHECK_STATUS(pldr_generate(NULL, prompt, 2, &params, tokens, 64, &n), PLDR_ERR_INVALID_ARGUMENT, "model is NULL");
  params.temperature = 0;
  CHECK_STATUS(pldr_generate(model, prompt, 2, &params, tokens, 64, &n), PLDR_ERR_INVALID_ARGUMENT, "temperature");
  params = pldr_generation_default_params();
  params.max_new_tokens = 0;
  CHECK_STATUS(pldr_generate(model, prompt, 2, &params, tokens, 64, &n), PLDR_ERR_INVALID_ARGUMENT, "max_new_tokens");
  params.max_new_tokens = 4;
  params.nucleus = (pldr_nucleus)9;
  CHECK_STATUS(pldr_generate(model, prompt, 2, &params, tokens, 64, &n), PLDR_ERR_INVALID_ARGUMENT, "nucleus");
  pldr_model_free(model);
}

/* With the G-cache, every decode step keeps the G the prompt gave: the deductive outputs after a
 * cached generation are those of a pass over the prompt alone. Without the cache they are not. */
static void test_deductive_outputs(void) {
  static float logits[MAX_T * MAX_V];
  float prompt_G[128], after[128], A[128];
  int32_t prompt[4] = {5, 17, 3, 42}, tokens[5];
  size_t count = 0, n = 0, i;
  int all_finite = 1;
  pldr_generation_params params = pldr_generation_default_params();
  pldr_model* model = open_tiny(PLDR_DTYPE_FLOAT64);
  CHECK_STATUS(pldr_get_deductive(model, PLDR_DEDUCTIVE_G_LM, 0, prompt_G, 128, &count), PLDR_ERR_NO_FORWARD_PASS,
               "no forward pass");
  CHECK_OK(pldr_eval(model, prompt, 4, logits, 4 * 50));
  CHECK_OK(pldr_get_deductive(model, PLDR_DEDUCTIVE_G_LM, 1, prompt_G, 128, &count));
  CHECK(count == 2 * 8 * 8);
  CHECK_OK(pldr_get_deductive(model, PLDR_DEDUCTIVE_A, 1, A, 128, &count));
  for (i = 0; i < 128; ++i) all_finite = all_finite && isfinite(A[i]) && isfinite(prompt_G[i]);
  CHECK(all_finite);
  CHECK(memcmp(A, prompt_G, sizeof A) != 0);
  CHECK_OK(pldr_get_deductive(model, PLDR_DEDUCTIVE_A_LM, 0, A, 128, &count));
  CHECK_OK(pldr_get_deductive(model, PLDR_DEDUCTIVE_AP, 0, A, 128, &count));

  params.greedy = 1;
  params.stop_at_end = 0;
  params.max_new_tokens = 5;
  CHECK_OK(pldr_generate(model, prompt, 4, &params, tokens, 5, &n));
  CHECK_OK(pldr_get_deductive(model, PLDR_DEDUCTIVE_G_LM, 1, after, 128, &count));
  CHECK(memcmp(after, prompt_G, sizeof after) == 0);
  params.use_cache = 0;
  CHECK_OK(pldr_generate(model, prompt, 4, &params, tokens, 5, &n));
  CHECK_OK(pldr_get_deductive(model, PLDR_DEDUCTIVE_G_LM, 1, after, 128, &count));
  CHECK(memcmp(after, prompt_G, sizeof after) != 0);

  CHECK_STATUS(pldr_get_deductive(model, PLDR_DEDUCTIVE_G_LM, 2, after, 128, &count), PLDR_ERR_INVALID_ARGUMENT,
               "layer 2");
  CHECK_STATUS(pldr_get_deductive(model, PLDR_DEDUCTIVE_G_LM, -1, after, 128, &count), PLDR_ERR_INVALID_ARGUMENT,
               "layer -1");
  CHECK_STATUS(pldr_get_deductive(model, (pldr_deductive)4, 0, after, 128, &count), PLDR_ERR_INVALID_ARGUMENT, "which");
  CHECK_STATUS(pldr_get_deductive(model, PLDR_DEDUCTIVE_A, 0, after, 127, &count), PLDR_ERR_BUFFER_TOO_SMALL, "128");
  CHECK_STATUS(pldr_get_deductive(model, PLDR_DEDUCTIVE_A, 0, NULL, 128, &count), PLDR_ERR_INVALID_ARGUMENT,
               "values is NULL");
  CHECK_STATUS(pldr_get_deductive(model, PLDR_DEDUCTIVE_A, 0, after, 128, NULL), PLDR_ERR_INVALID_ARGUMENT,
               "count is NULL");
  pldr_model_free(model);
}

/* The tiny model has no tokenizer. Every build reads SentencePiece models (data/spm/), so the calls
 * say the model was opened without one. */
static void test_no_tokenizer(void) {
  int32_t ids[8];
  char text[16];
  size_t n = 0;
  pldr_model* model = open_tiny(PLDR_DTYPE_FLOAT32);
  CHECK(pldr_has_feature(PLDR_FEATURE_TOKENIZER) == 1);
  CHECK_STATUS(pldr_tokenize(model, "hello", ids, 8, &n), PLDR_ERR_NO_TOKENIZER, "without a tokenizer");
  CHECK_STATUS(pldr_detokenize(model, ids, 0, text, 16, &n), PLDR_ERR_NO_TOKENIZER, "without a tokenizer");
  CHECK_STATUS(pldr_tokenize(model, NULL, ids, 8, &n), PLDR_ERR_INVALID_ARGUMENT, "text is NULL");
  CHECK_STATUS(pldr_tokenize(NULL, "hello", ids, 8, &n), PLDR_ERR_INVALID_ARGUMENT, "model is NULL");
  pldr_model_free(model);
}

/* A checkpoint naming the published 32k tokenizer: text in, text out. */
static void test_tokenizer(const char* checkpoint, const char* moved, const char* tokenizer) {
  int32_t ids[32], tokens[4];
  int32_t outside = 32000;
  char text[64];
  size_t n = 0, length = 0, generated = 0;
  pldr_model_info info;
  pldr_model_params params = pldr_model_default_params();
  pldr_generation_params generation = pldr_generation_default_params();
  pldr_model* model = NULL;
  params.threads = 1;
  CHECK_OK(pldr_model_open(checkpoint, &params, &model));
  if (!model) return;
  CHECK_OK(pldr_model_get_info(model, &info));
  CHECK(info.has_tokenizer == 1 && info.tokenizer_vocab_size == 32000 && info.vocab_size == 32000);
  CHECK_OK(pldr_tokenize(model, "Hello world", NULL, 0, &n)); /* the count alone */
  CHECK(n >= 2 && n < 32);
  CHECK_STATUS(pldr_tokenize(model, "Hello world", ids, n - 1, &length), PLDR_ERR_BUFFER_TOO_SMALL, "buffer holds");
  CHECK(length == n);
  CHECK_OK(pldr_tokenize(model, "Hello world", ids, 32, &n));
  CHECK_OK(pldr_detokenize(model, ids, n, NULL, 0, &length));
  CHECK(length == strlen("Hello world"));
  CHECK_STATUS(pldr_detokenize(model, ids, n, text, length, &length), PLDR_ERR_BUFFER_TOO_SMALL, "NUL");
  CHECK_OK(pldr_detokenize(model, ids, n, text, sizeof text, &length));
  CHECK(strcmp(text, "Hello world") == 0);
  CHECK_STATUS(pldr_detokenize(model, &outside, 1, text, sizeof text, &length), PLDR_ERR_INVALID_ARGUMENT, "32000");
  generation.max_new_tokens = 4;
  generation.greedy = 1;
  CHECK_OK(pldr_generate(model, ids, n, &generation, tokens, 4, &generated));
  CHECK(generated >= 1 && generated <= 4);
  CHECK_OK(pldr_detokenize(model, tokens, generated, text, sizeof text, &length));
  pldr_model_free(model);

  /* The 32k tokenizer does not fit the tiny model's 50 ids. */
  params.tokenizer_path = tokenizer;
  CHECK_STATUS(pldr_model_open(fixture_path("tiny_hf"), &params, &model), PLDR_ERR_LOAD, "more than the model's");
  CHECK(model == NULL);
  params.tokenizer_path = "/no/such/tokenizer.model";
  CHECK_STATUS(pldr_model_open(checkpoint, &params, &model), PLDR_ERR_LOAD, "/no/such/tokenizer.model");

  /* A checkpoint whose tokenizer stayed behind opens without it, and says so; given the
   * tokenizer, whose identity the checkpoint recorded, it has one again. */
  params.tokenizer_path = NULL;
  CHECK_OK(pldr_model_open(moved, &params, &model));
  CHECK_OK(pldr_model_get_info(model, &info));
  CHECK(info.has_tokenizer == 0);
  CHECK_STATUS(pldr_tokenize(model, "Hello", ids, 32, &n), PLDR_ERR_NO_TOKENIZER,
               "/moved/away/tokenizer.model, which does not exist here");
  pldr_model_free(model);
  params.tokenizer_path = tokenizer;
  CHECK_OK(pldr_model_open(moved, &params, &model));
  CHECK_OK(pldr_tokenize(model, "Hello", ids, 32, &n));
  pldr_model_free(model);
}

int main(int argc, char** argv) {
  if (argc != 2 && argc != 5) {
    fprintf(stderr, "usage: c_api_test FIXTURE_DIR [CHECKPOINT MOVED_CHECKPOINT TOKENIZER]\n");
    return 2;
  }
  snprintf(fixture, sizeof fixture, "%s", argv[1]);
  CHECK(strcmp(pldr_status_name(PLDR_ERR_LOAD), "PLDR_ERR_LOAD") == 0);
  CHECK(pldr_last_error() != NULL);
  test_open_and_bad_paths();
  test_logits_match_the_reference(PLDR_DTYPE_FLOAT32, 1e-4);
  test_logits_match_the_reference(PLDR_DTYPE_FLOAT64, 1e-6);
  test_eval_bad_input();
  test_greedy_generation_follows_eval();
  test_sampling_and_callback();
  test_generation_bad_input();
  test_deductive_outputs();
  test_no_tokenizer();
  if (argc == 5) test_tokenizer(argv[2], argv[3], argv[4]);
  if (failures) fprintf(stderr, "%d checks failed\n", failures);
  else printf("every check passed (%s)\n", argc == 5 ? "with the tokenizer" : "without a tokenizer");
  return failures ? 1 : 0;
}
