#include "apps/c_api/status.h"

namespace pldr::capi {

namespace {
thread_local std::string last_error;
}

pldr_status report(pldr_status status, const std::string& message) {
  try {
    last_error = message;
  } catch (...) {  // no memory left for the message: the status still tells what happened
    last_error.clear();
  }
  return status;
}

}  // namespace pldr::capi

extern "C" {

const char* pldr_last_error(void) { return pldr::capi::last_error.c_str(); }

const char* pldr_status_name(pldr_status status) {
  switch (status) {
    case PLDR_OK: return "PLDR_OK";
    case PLDR_ERR_INVALID_ARGUMENT: return "PLDR_ERR_INVALID_ARGUMENT";
    case PLDR_ERR_BUFFER_TOO_SMALL: return "PLDR_ERR_BUFFER_TOO_SMALL";
    case PLDR_ERR_LOAD: return "PLDR_ERR_LOAD";
    case PLDR_ERR_UNSUPPORTED: return "PLDR_ERR_UNSUPPORTED";
    case PLDR_ERR_NO_TOKENIZER: return "PLDR_ERR_NO_TOKENIZER";
    case PLDR_ERR_NO_FORWARD_PASS: return "PLDR_ERR_NO_FORWARD_PASS";
    case PLDR_ERR_OUT_OF_MEMORY: return "PLDR_ERR_OUT_OF_MEMORY";
    case PLDR_ERR_RUNTIME: return "PLDR_ERR_RUNTIME";
  }
  return "unknown pldr_status";
}

}  // extern "C"
