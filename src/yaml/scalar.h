// YAML 1.1 typing of scalars, as PyYAML's safe loader resolves them (the
// loader sift_py 0.9.6 uses). Internal to the YAML loader.
#ifndef SIFT_YAML_SCALAR_H_
#define SIFT_YAML_SCALAR_H_

#include <cstdint>
#include <string_view>

namespace sift {
namespace yaml_internal {

// The resolved type of a node. Scalars take the first six; kDate/kDatetime
// carry no value (no sift field accepts them), only their Python type name.
enum class NodeType { kNull, kBool, kInt, kFloat, kStr, kDate, kDatetime, kSeq, kMap };

// Python's name for the type a node loads as: str, int, float, bool, list,
// dict, NoneType, date, datetime.
std::string_view python_type_name(NodeType type);

struct ResolvedScalar {
  NodeType type = NodeType::kStr;
  bool bool_value = false;
  // kInt: the value when it fits in int64 (`int_overflow` false). Python ints
  // are unbounded, so a larger literal is still an int; range checks report it.
  int64_t int_value = 0;
  bool int_overflow = false;
  double float_value = 0.0;
};

// Resolves a plain (unquoted, untagged) scalar:
//   null   ~ null Null NULL and the empty string
//   bool   yes no true false on off, each in lower, Title or UPPER case
//   int    decimal, 0b binary, 0x hex, leading-0 octal, `_` separators,
//          sexagesimal `1:30` (= 90)
//   float  digits with a `.` and an optional exponent with an explicit sign
//          (`1.0e+3`; `1e3` stays a string), `.5`, sexagesimal `1:30.5`,
//          [-+].inf, .nan (each in lower, Title or UPPER case)
//   date   YYYY-MM-DD;  datetime  YYYY-M-D[Tt ]H:MM:SS[.frac][ ][Z|+-H[:MM]]
//   str    everything else.
// PyYAML quirks kept: `-.5` and `+.5` are strings, `0o17` is a string, `08`
// is a string. PyYAML crashes on `0b_`/`0x_` (an int with no digits); we
// resolve those to strings instead.
ResolvedScalar resolve_plain_scalar(std::string_view text);

// Explicitly tagged scalars (`!!int 5`): the text must match that type's
// pattern; false when it does not (PyYAML raises then too).
bool resolve_int(std::string_view text, ResolvedScalar* out);
bool resolve_float(std::string_view text, ResolvedScalar* out);
bool resolve_bool(std::string_view text, ResolvedScalar* out);
bool is_null_text(std::string_view text);
// kDate, kDatetime, or kStr when it is not a timestamp.
NodeType resolve_timestamp(std::string_view text);

}  // namespace yaml_internal
}  // namespace sift

#endif  // SIFT_YAML_SCALAR_H_
