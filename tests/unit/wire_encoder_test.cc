// The direct wire encoder (internal/wire_encoder.h) against protobuf's own
// serializer: for every request, the bytes must be identical to
// SerializeAsString() of the message that internal::encode_request builds, and
// request_size must be the number of bytes written.
#include "internal/wire_encoder.h"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "internal/ingest_request.h"
#include "sift/ingest/v1/ingest.pb.h"

namespace sift {
namespace internal {
namespace wire {
namespace {

Timestamp at_ns(std::int64_t ns) { return Timestamp(std::chrono::nanoseconds(ns)); }

// Prints bytes as hex for readable failure messages.
std::string hex(absl::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xF];
    out += ' ';
  }
  return out;
}

// The bytes protobuf gives for `request`.
std::string reference_bytes(const IngestRequest& request) {
  ingest::v1::IngestWithConfigDataStreamRequest message;
  internal::encode_request(request, &message);
  return message.SerializeAsString();
}

constexpr std::size_t kGuard = 16;
constexpr char kGuardByte = '\xA5';

// The bytes of the direct encoder, checking that request_size() is exactly
// what encode_request() writes and that nothing past it is touched.
std::string direct_bytes(const IngestRequest& request) {
  const RowHeader header{request.ingestion_config_id, request.flow, request.run_id,
                         request.organization_id, request.end_stream_on_validation_error};
  const std::vector<TypedValue>& values = request.channel_values;
  auto value_at = [&](std::size_t i) -> const TypedValue* {
    return values[i].is_empty() ? nullptr : &values[i];
  };
  const std::size_t size = request_size(header, request.timestamp, values.size(), value_at);
  std::string buffer(size + kGuard, kGuardByte);
  char* end = encode_request(&buffer[0], header, request.timestamp, values.size(), value_at);
  EXPECT_EQ(static_cast<std::size_t>(end - buffer.data()), size)
      << "request_size() differs from the bytes encode_request() wrote";
  EXPECT_EQ(buffer.substr(size), std::string(kGuard, kGuardByte))
      << "encode_request() wrote past request_size()";
  buffer.resize(size);
  return buffer;
}

// Encodes `request` both ways and compares byte for byte.
void expect_same_bytes(const IngestRequest& request) {
  const std::string expected = reference_bytes(request);
  const std::string actual = direct_bytes(request);
  ASSERT_EQ(actual.size(), expected.size()) << "expected: " << hex(expected.substr(0, 256))
                                            << "\n  actual: " << hex(actual.substr(0, 256));
  if (actual != expected) {
    std::size_t i = 0;
    while (actual[i] == expected[i]) ++i;
    const std::size_t from = i < 16 ? 0 : i - 16;
    FAIL() << "first difference at byte " << i << " of " << expected.size()
           << "\nexpected: " << hex(expected.substr(from, 64))
           << "\n  actual: " << hex(actual.substr(from, 64));
  }
}

// Equality that also holds for NaN and tells -0.0 from 0.0.
bool same_value(const TypedValue& a, const TypedValue& b) {
  if (a.kind() != b.kind()) return false;
  if (a.kind() == ValueKind::kDouble) {
    const double x = a.as_double(), y = b.as_double();
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  if (a.kind() == ValueKind::kFloat) {
    const float x = a.as_float(), y = b.as_float();
    return std::memcmp(&x, &y, sizeof x) == 0;
  }
  return a == b;
}

bool has_nan(const IngestRequest& request) {
  for (const TypedValue& v : request.channel_values) {
    if (v.kind() == ValueKind::kDouble && std::isnan(v.as_double())) return true;
    if (v.kind() == ValueKind::kFloat && std::isnan(v.as_float())) return true;
  }
  return false;
}

// decode_request(direct bytes) gives back `request`.
void expect_round_trip(const IngestRequest& request) {
  const std::string bytes = direct_bytes(request);
  absl::StatusOr<IngestRequest> decoded = decode_request(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->ingestion_config_id, request.ingestion_config_id);
  EXPECT_EQ(decoded->flow, request.flow);
  EXPECT_EQ(decoded->timestamp, request.timestamp);
  EXPECT_EQ(decoded->run_id, request.run_id);
  EXPECT_EQ(decoded->end_stream_on_validation_error, request.end_stream_on_validation_error);
  EXPECT_EQ(decoded->organization_id, request.organization_id);
  ASSERT_EQ(decoded->channel_values.size(), request.channel_values.size());
  if (!has_nan(request)) {
    EXPECT_TRUE(decoded->channel_values == request.channel_values);
  }
  for (std::size_t i = 0; i < request.channel_values.size(); ++i) {
    EXPECT_TRUE(same_value(decoded->channel_values[i], request.channel_values[i]))
        << "channel value " << i << " of kind " << value_kind_name(request.channel_values[i]);
  }
  // Re-encoding what was decoded gives the same bytes (also for NaN).
  EXPECT_EQ(direct_bytes(*decoded), bytes);
}

IngestRequest basic_request(std::vector<TypedValue> values) {
  IngestRequest r;
  r.ingestion_config_id = "0b1d3e6a-6f3c-4b8e-9c1e-4c2a9d7f0e11";
  r.flow = "readings";
  r.timestamp = at_ns(1700000000123456789);
  r.channel_values = std::move(values);
  r.run_id = "run-42";
  r.end_stream_on_validation_error = false;
  r.organization_id = "org-7";
  return r;
}

struct NamedValue {
  std::string name;
  TypedValue value;
};

std::vector<NamedValue> every_value() {
  const double inf = std::numeric_limits<double>::infinity();
  const float finf = std::numeric_limits<float>::infinity();
  return {
      {"string", string_value("hello")},
      {"string_empty", string_value("")},
      {"string_utf8", string_value("temp \xC2\xB0"
                                   "C \xE4\xB8\x96")},
      {"string_with_nul", string_value(std::string("a\0b", 3))},
      {"double", double_value(3.25)},
      {"double_zero", double_value(0.0)},
      {"double_negative_zero", double_value(-0.0)},
      {"double_nan", double_value(std::numeric_limits<double>::quiet_NaN())},
      {"double_negative_nan", double_value(-std::numeric_limits<double>::quiet_NaN())},
      {"double_inf", double_value(inf)},
      {"double_negative_inf", double_value(-inf)},
      {"double_denormal", double_value(std::numeric_limits<double>::denorm_min())},
      {"double_max", double_value(std::numeric_limits<double>::max())},
      {"float", float_value(-1.5f)},
      {"float_zero", float_value(0.0f)},
      {"float_negative_zero", float_value(-0.0f)},
      {"float_nan", float_value(std::numeric_limits<float>::quiet_NaN())},
      {"float_inf", float_value(finf)},
      {"float_negative_inf", float_value(-finf)},
      {"bool_true", bool_value(true)},
      {"bool_false", bool_value(false)},
      {"int32", int32_value(12345)},
      {"int32_zero", int32_value(0)},
      {"int32_negative", int32_value(-1)},
      {"int32_min", int32_value(std::numeric_limits<std::int32_t>::min())},
      {"int32_max", int32_value(std::numeric_limits<std::int32_t>::max())},
      {"uint32_zero", uint32_value(0)},
      {"uint32_127", uint32_value(127)},
      {"uint32_128", uint32_value(128)},
      {"uint32_max", uint32_value(std::numeric_limits<std::uint32_t>::max())},
      {"int64_zero", int64_value(0)},
      {"int64_negative", int64_value(-300)},
      {"int64_min", int64_value(std::numeric_limits<std::int64_t>::min())},
      {"int64_max", int64_value(std::numeric_limits<std::int64_t>::max())},
      {"uint64_zero", uint64_value(0)},
      {"uint64_max", uint64_value(std::numeric_limits<std::uint64_t>::max())},
      {"bit_field", bit_field_value(std::string("\x01\x80\xFF", 3))},
      {"bit_field_empty", bit_field_value("")},
      {"enum_zero", enum_value(0)},
      {"enum", enum_value(3)},
      {"enum_large", enum_value(std::numeric_limits<std::uint32_t>::max())},
      {"bytes", bytes_value("xyz")},
      {"bytes_with_nuls", bytes_value(std::string("\0\0\x01\0\xFE\0", 6))},
      {"bytes_empty", bytes_value("")},
      {"empty", empty_value()},
  };
}

TEST(WireHelpers, VarintSizeAtBoundaries) {
  const std::vector<std::pair<std::uint64_t, std::size_t>> cases = {
      {0, 1},
      {1, 1},
      {127, 1},
      {128, 2},
      {16383, 2},
      {16384, 3},
      {2097151, 3},
      {2097152, 4},
      {std::numeric_limits<std::uint32_t>::max(), 5},
      {std::uint64_t{1} << 63, 10},
      {std::numeric_limits<std::uint64_t>::max(), 10},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(varint_size(c.first), c.second) << c.first;
    char buffer[16];
    EXPECT_EQ(static_cast<std::size_t>(put_varint(buffer, c.first) - buffer), c.second) << c.first;
  }
}

TEST(WireHelpers, PutVarintBytes) {
  char buffer[16];
  char* end = put_varint(buffer, 300);
  EXPECT_EQ(std::string(buffer, end), "\xAC\x02");
  end = put_varint(buffer, 0);
  EXPECT_EQ(std::string(buffer, end), std::string(1, '\0'));
}

TEST(WireHelpers, ToWireTimeFloorsNegativeTimes) {
  struct Case {
    std::int64_t ns;
    std::int64_t seconds;
    std::int32_t nanos;
  };
  const std::vector<Case> cases = {
      {0, 0, 0},
      {1, 0, 1},
      {999999999, 0, 999999999},
      {1000000000, 1, 0},
      {-1, -1, 999999999},
      {-999999999, -1, 1},
      {-1000000000, -1, 0},
      {-1000000001, -2, 999999999},
      {-1500000000, -2, 500000000},
      {std::numeric_limits<std::int64_t>::max(), 9223372036, 854775807},
      {std::numeric_limits<std::int64_t>::min(), -9223372037, 145224192},
  };
  for (const Case& c : cases) {
    const WireTime t = to_wire_time(at_ns(c.ns));
    EXPECT_EQ(t.seconds, c.seconds) << c.ns;
    EXPECT_EQ(t.nanos, c.nanos) << c.ns;
  }
}

TEST(WireEncoder, EveryValueKindAlone) {
  for (const NamedValue& v : every_value()) {
    SCOPED_TRACE(v.name);
    expect_same_bytes(basic_request({v.value}));
  }
}

TEST(WireEncoder, EveryValueKindTogether) {
  std::vector<TypedValue> values;
  for (const NamedValue& v : every_value()) values.push_back(v.value);
  expect_same_bytes(basic_request(values));
}

TEST(WireEncoder, EmptyValueIsTheEmptyMember) {
  // Field 4 {field 11 (Empty) of length 0}.
  IngestRequest r;
  r.channel_values = {empty_value()};
  EXPECT_EQ(direct_bytes(r), std::string("\x1A\x00\x22\x02\x5A\x00", 6));
  expect_same_bytes(r);
}

TEST(WireEncoder, NoChannelValues) { expect_same_bytes(basic_request({})); }

TEST(WireEncoder, AllDefaultsStillWritesTheTimestamp) {
  const IngestRequest r;
  EXPECT_EQ(direct_bytes(r), std::string("\x1A\x00", 2));
  expect_same_bytes(r);
}

TEST(WireEncoder, Timestamps) {
  const std::vector<std::int64_t> cases = {
      0,
      1,
      999999999,
      1000000000,
      1700000000000000000,  // whole seconds, nanos 0
      1700000000123456789,
      -1,
      -1000000000,
      -1500000000,
      -86400LL * 365 * 1000000000 - 7,   // 1969, with nanos
      -2208988800LL * 1000000000 + 250,  // 1900
      4102444800LL * 1000000000,         // 2100
      std::numeric_limits<std::int64_t>::max(),
      std::numeric_limits<std::int64_t>::min(),
      std::numeric_limits<std::int64_t>::min() + 1,
  };
  for (std::int64_t ns : cases) {
    SCOPED_TRACE(ns);
    IngestRequest r = basic_request({double_value(1.0)});
    r.timestamp = at_ns(ns);
    expect_same_bytes(r);
  }
}

TEST(WireEncoder, HeaderFieldsEmptyOrNot) {
  for (int mask = 0; mask < 32; ++mask) {
    SCOPED_TRACE(mask);
    IngestRequest r = basic_request({int32_value(-5), string_value("x")});
    r.ingestion_config_id = (mask & 1) ? "config-id" : "";
    r.flow = (mask & 2) ? "flow-name" : "";
    r.run_id = (mask & 4) ? "run-id" : "";
    r.organization_id = (mask & 8) ? "org-id" : "";
    r.end_stream_on_validation_error = (mask & 16) != 0;
    expect_same_bytes(r);
    expect_round_trip(r);
  }
}

TEST(WireEncoder, LongStringsNeedLongerLengthVarints) {
  // 125/126: the channel value body crosses 127 bytes; 127/128 and
  // 16383/16384: the string length itself needs 2 or 3 bytes.
  const std::vector<std::size_t> sizes = {1,     125,   126,   127,   128,   129,   300,
                                          16381, 16382, 16383, 16384, 16385, 70000, 2100000};
  for (std::size_t size : sizes) {
    SCOPED_TRACE(size);
    const std::string text(size, 'a');
    std::string binary(size, '\0');
    for (std::size_t i = 0; i < size; ++i) binary[i] = static_cast<char>(i * 31);
    IngestRequest r = basic_request(
        {string_value(text), bytes_value(binary), bit_field_value(binary), double_value(2)});
    r.ingestion_config_id = text;
    r.flow = text;
    r.run_id = text;
    r.organization_id = text;
    expect_same_bytes(r);
    expect_round_trip(r);
  }
}

TEST(WireEncoder, ManyChannelValues) {
  const std::vector<NamedValue> kinds = every_value();
  std::vector<TypedValue> values;
  for (int i = 0; i < 5000; ++i) values.push_back(kinds[i % kinds.size()].value);
  IngestRequest r = basic_request(values);
  r.end_stream_on_validation_error = true;
  expect_same_bytes(r);
  expect_round_trip(r);
}

TEST(WireEncoder, StringValueIsNotValidated) {
  // The encoder copies bytes as they are, as protobuf's serializer does (it
  // only logs invalid UTF-8).
  expect_same_bytes(basic_request({string_value("\xFF\xFE bad")}));
}

// Random requests of random shape, with a fixed seed.
class RandomRequests {
 public:
  explicit RandomRequests(std::uint64_t seed) : rng_(seed) {}

  IngestRequest next() {
    IngestRequest r;
    r.ingestion_config_id = header_string();
    r.flow = header_string();
    r.timestamp = timestamp();
    const std::size_t count = chance(20) ? below(300) : below(12);
    for (std::size_t i = 0; i < count; ++i) r.channel_values.push_back(value());
    r.run_id = header_string();
    r.end_stream_on_validation_error = chance(2);
    r.organization_id = header_string();
    return r;
  }

 private:
  std::uint64_t bits() { return rng_(); }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(bits() % n); }
  bool chance(std::size_t one_in) { return below(one_in) == 0; }

  std::size_t length() {
    if (chance(50)) return 16000 + below(1000);
    if (chance(10)) return 100 + below(200);
    return below(40);
  }

  // Valid UTF-8 (protobuf rejects anything else in a string field when
  // parsing), with NULs and multi-byte characters.
  std::string text(std::size_t size) {
    static const char* const kPieces[] = {"a",
                                          "Z",
                                          "0",
                                          " ",
                                          ".",
                                          "",  // 5: NUL
                                          "\xC3\xA9",
                                          "\xE4\xB8\x96",
                                          "\xF0\x9F\x9A\x80"};
    std::string out;
    while (out.size() < size) {
      const std::size_t k = below(9);
      if (k == 5) {
        out.push_back('\0');
      } else {
        out += kPieces[k];
      }
    }
    return out;
  }

  std::string binary(std::size_t size) {
    std::string out(size, '\0');
    for (char& c : out) c = static_cast<char>(bits());
    return out;
  }

  std::string header_string() { return chance(3) ? std::string() : text(length()); }

  Timestamp timestamp() {
    switch (below(6)) {
      case 0:
        return at_ns(0);
      case 1:
        return at_ns(static_cast<std::int64_t>(bits()));  // anywhere, either sign
      case 2:                                             // whole seconds around now, nanos 0
        return at_ns((1700000000 + static_cast<std::int64_t>(below(100000000))) * 1000000000);
      case 3:  // before 1970
        return at_ns(-static_cast<std::int64_t>(bits() >> 2));
      case 4:  // near the epoch, either sign
        return at_ns(static_cast<std::int64_t>(below(20000000000)) - 10000000000);
      default:
        return at_ns(1700000000000000000 + static_cast<std::int64_t>(below(1000000000000)));
    }
  }

  template <typename T>
  T integer() {
    // Small values, extreme values and anything in between.
    switch (below(4)) {
      case 0:
        return static_cast<T>(below(300)) - (std::is_signed<T>::value ? 150 : 0);
      case 1:
        return chance(2) ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
      default:
        return static_cast<T>(bits() >> below(64));
    }
  }

  double a_double() {
    static const double kSpecial[] = {0.0,
                                      -0.0,
                                      1.0,
                                      -2.5,
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      std::numeric_limits<double>::quiet_NaN(),
                                      std::numeric_limits<double>::denorm_min(),
                                      std::numeric_limits<double>::max()};
    if (chance(3)) return kSpecial[below(9)];
    const std::uint64_t b = bits();
    double d;
    std::memcpy(&d, &b, sizeof d);  // any bit pattern, NaN payloads included
    return d;
  }

  float a_float() {
    static const float kSpecial[] = {0.0f, -0.0f, 1.0f, std::numeric_limits<float>::infinity(),
                                     std::numeric_limits<float>::quiet_NaN()};
    if (chance(3)) return kSpecial[below(5)];
    const std::uint32_t b = static_cast<std::uint32_t>(bits());
    float f;
    std::memcpy(&f, &b, sizeof f);
    return f;
  }

  TypedValue value() {
    switch (below(12)) {
      case 0:
        return string_value(text(chance(30) ? 120 + below(20) : below(20)));
      case 1:
        return double_value(a_double());
      case 2:
        return float_value(a_float());
      case 3:
        return bool_value(chance(2));
      case 4:
        return int32_value(integer<std::int32_t>());
      case 5:
        return uint32_value(integer<std::uint32_t>());
      case 6:
        return int64_value(integer<std::int64_t>());
      case 7:
        return uint64_value(integer<std::uint64_t>());
      case 8:
        return bit_field_value(binary(below(5)));
      case 9:
        return enum_value(integer<std::uint32_t>());
      case 10:
        return bytes_value(binary(chance(30) ? 120 + below(20) : below(20)));
      default:
        return empty_value();
    }
  }

  std::mt19937_64 rng_;
};

TEST(WireEncoder, RandomRequestsMatchProtobuf) {
  RandomRequests random(20240611);
  for (int i = 0; i < 2000; ++i) {
    SCOPED_TRACE(i);
    const IngestRequest r = random.next();
    expect_same_bytes(r);
    if (HasFailure()) return;  // one report is enough
  }
}

TEST(DecodeRequest, RoundTripsEveryValueKind) {
  for (const NamedValue& v : every_value()) {
    SCOPED_TRACE(v.name);
    expect_round_trip(basic_request({v.value}));
  }
  std::vector<TypedValue> values;
  for (const NamedValue& v : every_value()) values.push_back(v.value);
  expect_round_trip(basic_request(values));
}

TEST(DecodeRequest, RoundTripsTimestamps) {
  // Not down to Timestamp::min(): the decoder's seconds * 1e9 needs the
  // nanoseconds since the epoch to fit an int64 after flooring to seconds.
  const std::vector<std::int64_t> cases = {0,
                                           1,
                                           -1,
                                           -1000000000,
                                           -1500000000,
                                           1700000000000000000,
                                           1700000000123456789,
                                           -2208988800LL * 1000000000 + 250,
                                           std::numeric_limits<std::int64_t>::max(),
                                           -9223372036000000000};
  for (std::int64_t ns : cases) {
    SCOPED_TRACE(ns);
    IngestRequest r = basic_request({bool_value(true)});
    r.timestamp = at_ns(ns);
    expect_round_trip(r);
  }
}

TEST(DecodeRequest, RoundTripsRandomRequests) {
  RandomRequests random(7);
  for (int i = 0; i < 2000; ++i) {
    SCOPED_TRACE(i);
    const IngestRequest r = random.next();
    expect_round_trip(r);
    if (HasFailure()) return;
  }
}

TEST(DecodeRequest, RejectsGarbage) {
  const std::string valid = direct_bytes(basic_request({string_value("abc"), int64_value(-1)}));
  ASSERT_TRUE(decode_request(valid).ok());
  const std::vector<std::string> garbage = {
      std::string("\xFF\xFF\xFF\xFF", 4),  // unterminated varint tag
      std::string("\x00", 1),              // field number 0
      std::string("\x0F", 1),              // wire type 7
      std::string("\x0A\x05"
                  "ab",
                  4),                      // length past the end
      std::string("\x1A\x03\x08", 3),      // truncated timestamp
      std::string("\x22\x02\x28", 3),      // truncated channel value
      std::string("\x0A\x02\xFF\xFE", 4),  // invalid UTF-8 in a string field
      valid.substr(0, valid.size() - 1),   // truncated inside organization_id
      "this is not a protobuf message at all",
  };
  for (const std::string& bytes : garbage) {
    SCOPED_TRACE(hex(bytes));
    absl::StatusOr<IngestRequest> decoded = decode_request(bytes);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

TEST(DecodeRequest, EmptyInputIsTheDefaultRequest) {
  absl::StatusOr<IngestRequest> decoded = decode_request("");
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->timestamp, at_ns(0));
  EXPECT_TRUE(decoded->channel_values.empty());
}

}  // namespace
}  // namespace wire
}  // namespace internal
}  // namespace sift
