// Encodes IngestWithConfigDataStreamRequest straight into caller memory,
// without building a message object: the hot path of the ingestion engine.
// Field numbers are a stable contract of the wire API; the output is exactly
// the bytes protobuf's serializer gives for the same request (a unit test
// compares them), so replaying a stored row sends the same bytes.
#ifndef SIFT_INTERNAL_WIRE_ENCODER_H_
#define SIFT_INTERNAL_WIRE_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"
#include "sift/ingestion/channel.h"
#include "sift/time.h"

namespace sift {
namespace internal {
namespace wire {

// Everything of a request but its timestamp and values.
struct RowHeader {
  absl::string_view ingestion_config_id;
  absl::string_view flow;
  absl::string_view run_id;
  absl::string_view organization_id;
  bool end_stream_on_validation_error = false;
};

inline std::size_t varint_size(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

inline char* put_varint(char* out, std::uint64_t v) {
  while (v >= 0x80) {
    *out++ = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  *out++ = static_cast<char>(v);
  return out;
}

inline char* put_fixed(char* out, const void* v, std::size_t n) {
  // The wire is little-endian, as is every platform we build for.
  std::memcpy(out, v, n);
  return out + n;
}

// Length-delimited field: tag, length, bytes. Proto3 omits empty strings.
inline std::size_t string_field_size(absl::string_view s) {
  return s.empty() ? 0 : 1 + varint_size(s.size()) + s.size();
}

inline char* put_string_field(char* out, char tag, absl::string_view s) {
  if (s.empty()) return out;
  *out++ = tag;
  out = put_varint(out, s.size());
  std::memcpy(out, s.data(), s.size());
  return out + s.size();
}

// protobuf::Timestamp as {seconds, nanos} with nanos in [0, 1e9).
struct WireTime {
  std::int64_t seconds;
  std::int32_t nanos;
};

inline WireTime to_wire_time(Timestamp t) {
  const std::int64_t ns = t.time_since_epoch().count();
  std::int64_t s = ns / 1000000000;
  std::int64_t rest = ns % 1000000000;
  if (rest < 0) {
    rest += 1000000000;
    s -= 1;
  }
  return WireTime{s, static_cast<std::int32_t>(rest)};
}

inline std::size_t timestamp_body_size(WireTime t) {
  // Negative int64/int32 varints are sign-extended to 10 bytes, as protobuf does.
  return (t.seconds != 0 ? 1 + varint_size(static_cast<std::uint64_t>(t.seconds)) : 0) +
         (t.nanos != 0 ? 1 + varint_size(static_cast<std::uint64_t>(t.nanos)) : 0);
}

// Body of one IngestWithConfigDataChannelValue; nullptr is `empty`. A oneof
// member is written even when it holds its default value.
inline std::size_t value_body_size(const TypedValue* v) {
  if (v == nullptr) return 2;
  switch (v->kind()) {
    case ValueKind::kString:
    case ValueKind::kBitField:
    case ValueKind::kBytes:
      return 1 + varint_size(v->as_bytes().size()) + v->as_bytes().size();
    case ValueKind::kDouble:
      return 9;
    case ValueKind::kFloat:
      return 5;
    case ValueKind::kBool:
      return 2;
    case ValueKind::kInt32:
      return 1 + varint_size(static_cast<std::uint64_t>(static_cast<std::int64_t>(v->as_int32())));
    case ValueKind::kUint32:
      return 1 + varint_size(v->as_uint32());
    case ValueKind::kInt64:
      return 1 + varint_size(static_cast<std::uint64_t>(v->as_int64()));
    case ValueKind::kUint64:
      return 1 + varint_size(v->as_uint64());
    case ValueKind::kEnum:
      return 1 + varint_size(v->as_enum());
    case ValueKind::kEmpty:
      break;
  }
  return 2;
}

inline char* put_bytes_member(char* out, char tag, std::string_view b) {
  *out++ = tag;
  out = put_varint(out, b.size());
  std::memcpy(out, b.data(), b.size());
  return out + b.size();
}

inline char* put_value_body(char* out, const TypedValue* v) {
  const ValueKind kind = v == nullptr ? ValueKind::kEmpty : v->kind();
  switch (kind) {
    case ValueKind::kString:
      return put_bytes_member(out, 0x0A, v->as_bytes());
    case ValueKind::kDouble: {
      *out++ = 0x11;
      const double d = v->as_double();
      return put_fixed(out, &d, 8);
    }
    case ValueKind::kFloat: {
      *out++ = 0x1D;
      const float f = v->as_float();
      return put_fixed(out, &f, 4);
    }
    case ValueKind::kBool:
      *out++ = 0x20;
      *out++ = v->as_bool() ? 1 : 0;
      return out;
    case ValueKind::kInt32:
      *out++ = 0x28;
      return put_varint(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(v->as_int32())));
    case ValueKind::kUint32:
      *out++ = 0x30;
      return put_varint(out, v->as_uint32());
    case ValueKind::kInt64:
      *out++ = 0x38;
      return put_varint(out, static_cast<std::uint64_t>(v->as_int64()));
    case ValueKind::kUint64:
      *out++ = 0x40;
      return put_varint(out, v->as_uint64());
    case ValueKind::kBitField:
      return put_bytes_member(out, 0x4A, v->as_bytes());
    case ValueKind::kEnum:
      *out++ = 0x50;
      return put_varint(out, v->as_enum());
    case ValueKind::kBytes:
      return put_bytes_member(out, 0x62, v->as_bytes());
    case ValueKind::kEmpty:
      break;
  }
  *out++ = 0x5A;  // google.protobuf.Empty, zero length
  *out++ = 0x00;
  return out;
}

// `value_at(i)` gives the value of channel i of the flow (nullptr: empty).
template <typename ValueAt>
std::size_t request_size(const RowHeader& h, Timestamp t, std::size_t count,
                         const ValueAt& value_at) {
  const std::size_t ts = timestamp_body_size(to_wire_time(t));
  std::size_t n = string_field_size(h.ingestion_config_id) + string_field_size(h.flow) + 1 +
                  varint_size(ts) + ts + string_field_size(h.run_id) +
                  (h.end_stream_on_validation_error ? 2 : 0) + string_field_size(h.organization_id);
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t body = value_body_size(value_at(i));
    n += 1 + varint_size(body) + body;
  }
  return n;
}

// Writes exactly request_size(...) bytes at `out`; returns the end.
template <typename ValueAt>
char* encode_request(char* out, const RowHeader& h, Timestamp t, std::size_t count,
                     const ValueAt& value_at) {
  out = put_string_field(out, 0x0A, h.ingestion_config_id);
  out = put_string_field(out, 0x12, h.flow);
  const WireTime wt = to_wire_time(t);
  *out++ = 0x1A;
  out = put_varint(out, timestamp_body_size(wt));
  if (wt.seconds != 0) {
    *out++ = 0x08;
    out = put_varint(out, static_cast<std::uint64_t>(wt.seconds));
  }
  if (wt.nanos != 0) {
    *out++ = 0x10;
    out = put_varint(out, static_cast<std::uint64_t>(wt.nanos));
  }
  for (std::size_t i = 0; i < count; ++i) {
    const TypedValue* v = value_at(i);
    *out++ = 0x22;
    out = put_varint(out, value_body_size(v));
    out = put_value_body(out, v);
  }
  out = put_string_field(out, 0x2A, h.run_id);
  if (h.end_stream_on_validation_error) {
    *out++ = 0x30;
    *out++ = 0x01;
  }
  return put_string_field(out, 0x3A, h.organization_id);
}

}  // namespace wire
}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_WIRE_ENCODER_H_
