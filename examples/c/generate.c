/* Loads a PLDR-LLM through the C API and generates greedily, printing each token id as it comes.
 *   generate MODEL PROMPT [N]
 * MODEL: a Hugging Face folder or a checkpoint. PROMPT: token ids ("5,17,3"), or text when the
 * model has a tokenizer (the completion's text then follows the ids). N: new tokens (default 16). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pldr/pldr.h>

/* Ends the program with the API's message (it names the call) when a call fails. */
static void check(pldr_status status) {
  if (status == PLDR_OK) return;
  fprintf(stderr, "%s (%s)\n", pldr_last_error(), pldr_status_name(status));
  exit(1);
}

static int print_token(int32_t token, size_t index, void* user_data) {
  (void)user_data;
  printf("%s%d", index ? "," : "", token);
  fflush(stdout);
  return 0; /* non-zero would stop the generation after this token */
}

/* "5,17,3" as ids; returns how many (0 when the text is not a number: pldr_generate then says so). */
static size_t parse_ids(const char* text, int32_t* ids, size_t capacity) {
  size_t n = 0;
  char* end;
  while (n < capacity) {
    ids[n] = (int32_t)strtol(text, &end, 10);
    if (end == text) return 0;
    ++n;
    if (*end != ',') break;
    text = end + 1;
  }
  return n;
}

int main(int argc, char** argv) {
  pldr_model* model = NULL;
  pldr_model_info info;
  pldr_generation_params params = pldr_generation_default_params();
  int32_t ids[512]; /* the prompt, then the generated tokens */
  size_t n_prompt = 0, n_tokens = 0, length = 0;
  char text[4096];

  if (argc < 3) {
    fprintf(stderr, "usage: %s MODEL PROMPT [N]\n", argv[0]);
    return 2;
  }
  check(pldr_model_open(argv[1], NULL, &model));
  check(pldr_model_get_info(model, &info));
  if (info.has_tokenizer) check(pldr_tokenize(model, argv[2], ids, 256, &n_prompt));
  else n_prompt = parse_ids(argv[2], ids, 256);

  params.max_new_tokens = argc > 3 ? atoi(argv[3]) : 16;
  params.greedy = 1;
  params.on_token = print_token;
  if (params.max_new_tokens > 256) params.max_new_tokens = 256;
  check(pldr_generate(model, ids, n_prompt, &params, ids + n_prompt, 256, &n_tokens));
  printf("\n");
  if (info.has_tokenizer) {
    /* prompt and completion decoded together: a piece's leading space shows only after text */
    check(pldr_detokenize(model, ids, n_prompt + n_tokens, text, sizeof text, &length));
    printf("%s\n", text);
  }
  pldr_model_free(model);
  return 0;
}
