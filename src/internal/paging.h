// Walking a paged List* RPC to the end.
#ifndef SIFT_INTERNAL_PAGING_H_
#define SIFT_INTERNAL_PAGING_H_

#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "internal/grpc_util.h"
#include "sift/ingestion/channel.h"
#include "sift/status.h"

namespace sift {
namespace internal {

// Calls `fetch(page_token)` (which returns StatusOr<std::string>: the next
// page token) from the empty token until the server returns an empty one.
// A token repeated back to back is an error rather than an endless loop
// (sift_py loops forever in that case for some listings).
template <typename Fetch>
absl::Status for_each_page(std::string_view method, Fetch&& fetch) {
  std::string token;
  while (true) {
    absl::StatusOr<std::string> next = fetch(token);
    if (!next.ok()) return next.status();
    if (next->empty()) return absl::OkStatus();
    if (*next == token) {
      return absl::InternalError(
          absl::StrCat(to_absl_view(method), ": the server returned the same page token twice"));
    }
    token = *std::move(next);
  }
}

// One paged List* RPC, every page, each page a unary_call() (deadline,
// status naming `method`): `call(context, token, &next_token)` issues one.
template <typename Call>
absl::Status list_all(const SiftChannel& channel, const char* method, Call&& call) {
  return for_each_page(method, [&](const std::string& token) -> absl::StatusOr<std::string> {
    std::string next;
    SIFT_RETURN_IF_ERROR(unary_call(channel, method, [&](grpc::ClientContext* context) {
      return call(context, token, &next);
    }));
    return next;
  });
}

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_PAGING_H_
