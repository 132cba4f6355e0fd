#pragma once
// Internal: running a loop on every thread when the work is worth it.

#include <cstdint>
#include <exception>

namespace modtrace::detail {

// Below this much work (elements touched) threads cost more than they save.
inline bool worth_threads(int64_t work) { return work >= (1 << 16); }

// body(i) for i in [0, n): on every thread when the total work is worth it,
// else on this one without entering OpenMP at all (an `if` clause would
// still pay for the parallel region). An exception may not leave an OpenMP
// region (std::terminate): the first one thrown (an allocation refused, say)
// is carried out and rethrown after the loop.
template <class Body>
void parallel_for(int64_t n, int64_t work, Body&& body) {
  if (n > 1 && worth_threads(work)) {
    std::exception_ptr error;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
      try {
        body(i);
      } catch (...) {
#pragma omp critical(modtrace_parallel_error)
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
  } else {
    for (int64_t i = 0; i < n; ++i) body(i);
  }
}

}  // namespace modtrace::detail
