// How the C API turns C++ failures into a pldr_status and this thread's last-error message: the
// body of every API function runs inside guarded(), so no exception crosses the C boundary.
#pragma once
#include <new>
#include <stdexcept>
#include <string>

#include "pldr/pldr.h"

namespace pldr::capi {

// A failure the C layer names itself: a NULL pointer, a short buffer, a missing feature.
class Error : public std::runtime_error {
 public:
  Error(pldr_status status, const std::string& message) : std::runtime_error(message), status(status) {}
  pldr_status status;
};

// Sets this thread's last-error message (empty for PLDR_OK) and returns the status.
pldr_status report(pldr_status status, const std::string& message);

// Throws Error(PLDR_ERR_INVALID_ARGUMENT) naming the argument when it is NULL.
inline void require_pointer(const void* pointer, const char* function, const char* argument) {
  if (!pointer) throw Error(PLDR_ERR_INVALID_ARGUMENT, std::string(function) + ": " + argument + " is NULL");
}

// Runs body(): PLDR_OK when it returns; an Error's own status; PLDR_ERR_OUT_OF_MEMORY for
// std::bad_alloc; `otherwise` for any other exception (PLDR_ERR_LOAD while opening a model,
// PLDR_ERR_RUNTIME while computing), each with the exception's message.
template <class Body> pldr_status guarded(pldr_status otherwise, Body&& body) noexcept {
  try {
    body();
    return report(PLDR_OK, "");
  } catch (const Error& e) {
    return report(e.status, e.what());
  } catch (const std::bad_alloc&) {
    return report(PLDR_ERR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return report(otherwise, e.what());
  } catch (...) {
    return report(otherwise, "unknown error");
  }
}

}  // namespace pldr::capi
