// TelemetryConfig: validation, the generated client key, construction.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <openssl/evp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/rule/check.h"
#include "sift/status.h"

namespace sift {
namespace {

// Incremental SHA-256 over the OpenSSL EVP API.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    ok_ = ctx_ != nullptr && EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) == 1;
  }

  void update(std::string_view bytes) {
    if (ok_ && !bytes.empty()) {
      ok_ = EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) == 1;
    }
  }

  // Lowercase hex digest; empty if OpenSSL failed (allocation failure only).
  std::string hex_digest() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (!ok_ || EVP_DigestFinal_ex(ctx_.get(), digest, &length) != 1) return std::string();
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
      out.push_back(kHex[digest[i] >> 4]);
      out.push_back(kHex[digest[i] & 0x0F]);
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
  bool ok_ = false;
};

}  // namespace

absl::Status TelemetryConfig::validate() const {
  std::set<std::string_view> flow_names;
  for (const FlowConfig& flow : flows) {
    if (!flow_names.insert(flow.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("Can't have two flows with the same name, '", flow.name, "'."));
    }
    std::set<std::string> channel_fqns;
    for (const ChannelConfig& channel : flow.channels) {
      std::string fqn = channel.fqn();
      if (!channel_fqns.insert(fqn).second) {
        return absl::InvalidArgumentError(absl::StrCat("Can't have two identical channels, '", fqn,
                                                       "', in flow '", flow.name, "'."));
      }
    }
  }
  std::set<std::string_view> rule_names;
  for (const RuleConfig& rule : rules) {
    if (!rule_names.insert(rule.name).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("Can't have two rules with identical names, '", rule.name, "'."));
    }
  }
  return absl::OkStatus();
}

std::string TelemetryConfig::hash() const {
  Sha256 sha;
  sha.update(asset_name);

  std::vector<const FlowConfig*> sorted_flows;
  sorted_flows.reserve(flows.size());
  for (const FlowConfig& flow : flows) sorted_flows.push_back(&flow);
  // std::string's ordering is byte-wise (char_traits<char> compares as
  // unsigned char), which for UTF-8 is code-point order, as in Python.
  std::stable_sort(sorted_flows.begin(), sorted_flows.end(),
                   [](const FlowConfig* a, const FlowConfig* b) { return a->name < b->name; });

  for (const FlowConfig* flow : sorted_flows) {
    sha.update(flow->name);
    for (const ChannelConfig& channel : flow->channels) {
      // sift_py folds the component into the name at construction, so the
      // component slot that follows the description is always empty.
      sha.update(channel.fqn());
      sha.update(as_human_str(channel.data_type, /*api_format=*/true));
      sha.update(channel.description.value_or(""));
      sha.update("");
      sha.update(channel.unit.value_or(""));

      std::vector<const ChannelBitFieldElement*> elements;
      elements.reserve(channel.bit_field_elements.size());
      for (const ChannelBitFieldElement& e : channel.bit_field_elements) elements.push_back(&e);
      std::stable_sort(elements.begin(), elements.end(),
                       [](const ChannelBitFieldElement* a, const ChannelBitFieldElement* b) {
                         return a->index < b->index;
                       });
      for (const ChannelBitFieldElement* e : elements) {
        sha.update(e->name);
        sha.update(absl::StrCat(e->index));
        sha.update(absl::StrCat(e->bit_count));
      }

      std::vector<const ChannelEnumType*> enum_types;
      enum_types.reserve(channel.enum_types.size());
      for (const ChannelEnumType& t : channel.enum_types) enum_types.push_back(&t);
      std::stable_sort(
          enum_types.begin(), enum_types.end(),
          [](const ChannelEnumType* a, const ChannelEnumType* b) { return a->key < b->key; });
      for (const ChannelEnumType* t : enum_types) {
        sha.update(absl::StrCat(t->key));
        sha.update(t->name);
      }
    }
  }
  return sha.hex_digest();
}

absl::StatusOr<TelemetryConfig> TelemetryConfig::create(TelemetryConfig draft) {
  SIFT_RETURN_IF_ERROR(draft.validate());
  for (RuleConfig& rule : draft.rules) {
    SIFT_ASSIGN_OR_RETURN(rule, RuleConfig::create(std::move(rule)));
  }
  if (!draft.rules.empty()) {
    const RuleChannelIndex channels = index_rule_channels(draft.flows);
    for (const RuleConfig& rule : draft.rules) {
      SIFT_RETURN_IF_ERROR(check_rule_expression(rule, channels));
    }
  }
  if (draft.ingestion_client_key.empty()) {
    draft.ingestion_client_key = draft.hash();
    if (draft.ingestion_client_key.empty()) {
      return absl::InternalError("Failed to compute the ingestion client key (SHA-256).");
    }
    draft.ingestion_client_key_is_generated = true;
  }
  return draft;
}

const FlowConfig* TelemetryConfig::find_flow(std::string_view flow_name) const {
  for (const FlowConfig& flow : flows) {
    if (flow.name == flow_name) return &flow;
  }
  return nullptr;
}

}  // namespace sift
