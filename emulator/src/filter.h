// The few CEL filter forms the Sift SDKs send to List RPCs, parsed once and
// shared by every List handler: a conjunction (`&&`) of terms
//   field == "value"   field == 'value'   field in ["a", "b"]
// with `\"`, `\'` and `\\` escapes inside strings. Anything else is refused
// with a message naming the filter, never guessed at.
#ifndef SIFT_EMULATOR_FILTER_H_
#define SIFT_EMULATOR_FILTER_H_

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sift {
namespace emulator {

// `field == "v"` is a term with one value; `field in [...]` one with the list
// (possibly empty, which matches nothing).
struct FilterTerm {
  std::string field;
  std::vector<std::string> values;
};

// All terms must hold; no terms (an empty or blank filter) matches everything.
struct Filter {
  std::vector<FilterTerm> terms;

  // `value_of(field)` gives the item's value of a field the caller allowed.
  bool matches(const std::function<std::string(const std::string& field)>& value_of) const;
  // For items with several values per field (a rule's asset ids): a term
  // holds when one of the item's values is one of the term's.
  bool matches_any(
      const std::function<std::vector<std::string>(const std::string& field)>& values_of) const;
};

// Parses `text`; INVALID_ARGUMENT naming the filter and the column on any
// other syntax.
absl::StatusOr<Filter> parse_filter(std::string_view text);

// parse_filter() plus a check that every field is one of `fields`;
// INVALID_ARGUMENT naming `method`, the field and the supported fields.
absl::StatusOr<Filter> parse_filter_for(std::string_view method, std::string_view text,
                                        std::initializer_list<std::string_view> fields);

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_FILTER_H_
