// IngestionService::create: sift_py's get-or-create of the ingestion config,
// flow reconciliation, the flow cache and rule sync (spec 4.1-4.3, 4.2 step 3).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "internal/cel.h"
#include "internal/grpc_util.h"
#include "internal/ingest_request.h"
#include "internal/ingestion_service_impl.h"
#include "internal/paging.h"
#include "sift/ingestion/service.h"
#include "sift/rule/service.h"
#include "sift/status.h"

namespace sift {
namespace {

namespace wire = ingestion_configs::v2;

constexpr char kListConfigs[] = "IngestionConfigService.ListIngestionConfigs";
constexpr char kCreateConfig[] = "IngestionConfigService.CreateIngestionConfig";
constexpr char kListFlows[] = "IngestionConfigService.ListIngestionConfigFlows";
constexpr char kCreateFlows[] = "IngestionConfigService.CreateIngestionConfigFlows";

// How often reconciliation starts over after another client registered one
// of our new flows first (ALREADY_EXISTS).
constexpr int kReconcileAttempts = 3;

absl::Status too_big(absl::string_view message_type, std::size_t size) {
  return absl::ResourceExhaustedError(absl::StrCat(message_type, " is ", size, " bytes, above the ",
                                                   internal::kMaxConfigRequestBytes,
                                                   "-byte limit of a Sift request"));
}

// Prefixes what create() was doing, so a transport error says which config.
absl::Status in_create(const TelemetryConfig& config, const absl::Status& status) {
  if (status.ok()) return status;
  return absl::Status(status.code(),
                      absl::StrCat("IngestionService::create (asset '", config.asset_name,
                                   "', ingestion_client_key '", config.ingestion_client_key,
                                   "'): ", status.message()));
}

absl::StatusOr<std::optional<wire::IngestionConfig>> find_config(IngestionService::Impl& impl) {
  wire::ListIngestionConfigsRequest request;
  request.set_filter(internal::cel_equals("client_key", impl.config.ingestion_client_key));
  request.set_page_size(1);
  wire::ListIngestionConfigsResponse response;
  SIFT_RETURN_IF_ERROR(internal::unary_call(impl.channel, kListConfigs, [&](auto* context) {
    return impl.configs->ListIngestionConfigs(context, request, &response);
  }));
  if (response.ingestion_configs_size() == 0) return std::nullopt;
  return response.ingestion_configs(0);
}

// What sift_py's listing would return for a flow we just registered.
absl::StatusOr<FlowConfig> as_registered(const FlowConfig& flow) {
  wire::FlowConfig message;
  internal::encode_flow(flow, &message);
  return internal::decode_flow(message);
}

std::string mismatch_prefix(const TelemetryConfig& config) {
  return absl::StrCat("Ingestion config '", config.ingestion_client_key,
                      "' has mismatched channels: ");
}

bool same_enum_types(const ChannelConfig& local, const ChannelConfig& server) {
  if (local.enum_types.size() != server.enum_types.size()) return false;
  for (std::size_t i = 0; i < local.enum_types.size(); ++i) {
    const ChannelEnumType& a = local.enum_types[i];
    const ChannelEnumType& b = server.enum_types[i];
    if (a.name != b.name || a.key != b.key ||
        a.is_signed.value_or(false) != b.is_signed.value_or(false)) {
      return false;
    }
  }
  return true;
}

// sift_py's check (every local channel must be registered with the same
// type) with a message that names the change, plus warnings for what sift_py
// lets the server's definition win silently.
absl::Status compare_flow(const TelemetryConfig& config, const FlowConfig& local,
                          const FlowConfig& server, std::vector<std::string>* warnings) {
  std::vector<std::string> common_local_order;
  std::vector<std::string> attribute_notes;
  for (const ChannelConfig& channel : local.channels) {
    const std::string fqn = channel.fqn();
    std::optional<std::size_t> index = server.channel_index(fqn);
    if (!index.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(mismatch_prefix(config), "flow '", local.name, "' has no channel '", fqn,
                       "' (", internal::to_absl_view(as_human_str(channel.data_type)),
                       ") registered; adding or renaming a channel of an existing flow needs a new "
                       "ingestion_client_key"));
    }
    const ChannelConfig& registered = server.channels[*index];
    if (registered.data_type != channel.data_type) {
      return absl::InvalidArgumentError(absl::StrCat(
          mismatch_prefix(config), "channel '", fqn, "' of flow '", local.name,
          "' changed data type from ", internal::to_absl_view(as_human_str(registered.data_type)),
          " to ", internal::to_absl_view(as_human_str(channel.data_type)),
          "; this needs a new ingestion_client_key"));
    }
    common_local_order.push_back(fqn);
    std::vector<std::string> changed;
    if (channel.unit.value_or("") != registered.unit.value_or("")) changed.push_back("unit");
    if (channel.description.value_or("") != registered.description.value_or("")) {
      changed.push_back("description");
    }
    if (!same_enum_types(channel, registered)) changed.push_back("enum types");
    if (channel.bit_field_elements != registered.bit_field_elements) {
      changed.push_back("bit-field elements");
    }
    if (!changed.empty()) {
      attribute_notes.push_back(absl::StrCat(
          "flow '", local.name, "': channel '", fqn, "' differs from the registered definition in ",
          absl::StrJoin(changed, ", "), "; the registered definition is used"));
    }
  }

  std::vector<std::string> server_order;
  for (const ChannelConfig& channel : server.channels) {
    const std::string fqn = channel.fqn();
    if (!local.channel_index(fqn).has_value()) {
      warnings->push_back(absl::StrCat("flow '", local.name, "': registered channel '", fqn,
                                       "' is not in the local config; the registered flow "
                                       "(with it) is used"));
    } else {
      server_order.push_back(fqn);
    }
  }
  if (server_order != common_local_order) {
    warnings->push_back(absl::StrCat(
        "flow '", local.name,
        "': the local channel order differs from the registered one; positional values "
        "follow the registered order: ",
        absl::StrJoin(server_order, ", ")));
  }
  for (std::string& note : attribute_notes) warnings->push_back(std::move(note));
  return absl::OkStatus();
}

// Spec 4.3, for an existing config with a user key and local flows. On
// success `*registered` holds every registered flow (the listing plus what we
// added), so create() need not list again (sift_py lists twice).
absl::Status reconcile(IngestionService::Impl& impl, bool* size_exceeded,
                       std::optional<std::vector<FlowConfig>>* registered) {
  for (int attempt = 1;; ++attempt) {
    SIFT_ASSIGN_OR_RETURN(std::vector<FlowConfig> listed, impl.list_flows());
    std::map<std::string, std::size_t> by_name;  // last listed wins, as in sift_py
    for (std::size_t i = 0; i < listed.size(); ++i) by_name[listed[i].name] = i;

    std::vector<FlowConfig> to_create;
    std::vector<std::string> warnings;
    for (const FlowConfig& local : impl.config.flows) {
      auto it = by_name.find(local.name);
      if (it == by_name.end()) {
        to_create.push_back(local);
        continue;
      }
      SIFT_RETURN_IF_ERROR(compare_flow(impl.config, local, listed[it->second], &warnings));
    }

    if (!to_create.empty()) {
      absl::Status status = impl.create_flows_rpc(to_create, size_exceeded);
      if (absl::IsAlreadyExists(status) && attempt < kReconcileAttempts) {
        // Another client registered one of these flows meanwhile: check ours
        // against theirs.
        continue;
      }
      SIFT_RETURN_IF_ERROR(status);
      for (const FlowConfig& flow : to_create) {
        SIFT_ASSIGN_OR_RETURN(FlowConfig added, as_registered(flow));
        listed.push_back(std::move(added));
      }
    }
    impl.reconciliation_warnings = std::move(warnings);
    *registered = std::move(listed);
    return absl::OkStatus();
  }
}

// Spec 4.2 step 1.
absl::Status get_or_create(IngestionService::Impl& impl, bool lazy, bool* size_exceeded,
                           std::optional<std::vector<FlowConfig>>* registered) {
  SIFT_ASSIGN_OR_RETURN(std::optional<wire::IngestionConfig> existing, find_config(impl));
  bool created_now = false;
  if (!existing.has_value()) {
    wire::CreateIngestionConfigRequest request;
    request.set_asset_name(impl.config.asset_name);
    request.set_client_key(impl.config.ingestion_client_key);
    request.set_organization_id(impl.config.organization_id.value_or(""));
    if (!lazy) {
      for (const FlowConfig& flow : impl.config.flows)
        internal::encode_flow(flow, request.add_flows());
    }
    const std::size_t size = request.ByteSizeLong();
    if (size > internal::kMaxConfigRequestBytes) {
      *size_exceeded = true;
      return too_big("CreateIngestionConfigRequest", size);
    }
    wire::CreateIngestionConfigResponse response;
    absl::Status status = internal::unary_call(impl.channel, kCreateConfig, [&](auto* context) {
      return impl.configs->CreateIngestionConfig(context, request, &response);
    });
    if (status.ok()) {
      existing = response.ingestion_config();
      created_now = true;
    } else if (absl::IsAlreadyExists(status)) {
      // Someone created it between our lookup and our create: use theirs.
      SIFT_ASSIGN_OR_RETURN(existing, find_config(impl));
      if (!existing.has_value()) return status;
    } else {
      return status;
    }
  }
  impl.ingestion_config_id = existing->ingestion_config_id();
  impl.asset_id = existing->asset_id();

  if (!created_now && !impl.config.ingestion_client_key_is_generated && !lazy &&
      !impl.config.flows.empty()) {
    return reconcile(impl, size_exceeded, registered);
  }
  return absl::OkStatus();
}

// The flows holding a channel a rule names (a reference, a contextual
// channel, or the bit-field channel `c` of a reference `c.element`).
std::vector<std::string> flows_named_by_rules(const TelemetryConfig& config) {
  std::set<std::string> names;
  for (const RuleConfig& rule : config.rules) {
    for (const RuleChannelReference& reference : rule.channel_references) {
      names.insert(reference.channel_identifier);
    }
    names.insert(rule.contextual_channels.begin(), rule.contextual_channels.end());
  }
  auto named = [&](const std::string& fqn) {
    for (const std::string& name : names) {
      if (name == fqn || (name.size() > fqn.size() && name.compare(0, fqn.size(), fqn) == 0 &&
                          name[fqn.size()] == '.')) {
        return true;
      }
    }
    return false;
  };
  std::vector<std::string> flows;
  for (const FlowConfig& flow : config.flows) {
    for (const ChannelConfig& channel : flow.channels) {
      if (named(channel.fqn())) {
        flows.push_back(flow.name);
        break;
      }
    }
  }
  return flows;
}

}  // namespace

absl::StatusOr<std::vector<FlowConfig>> IngestionService::Impl::list_flows() {
  std::vector<FlowConfig> flows;
  uint32_t page_size = 1000;
  int calls = 0;
  auto fetch = [&](const std::string& token) -> absl::StatusOr<std::string> {
    ++calls;
    wire::ListIngestionConfigFlowsRequest request;
    request.set_ingestion_config_id(ingestion_config_id);
    request.set_page_size(page_size);
    request.set_page_token(token);
    wire::ListIngestionConfigFlowsResponse response;
    SIFT_RETURN_IF_ERROR(internal::unary_call(channel, kListFlows, [&](auto* context) {
      return configs->ListIngestionConfigFlows(context, request, &response);
    }));
    for (const wire::FlowConfig& flow : response.flows()) {
      SIFT_ASSIGN_OR_RETURN(FlowConfig decoded, internal::decode_flow(flow));
      flows.push_back(std::move(decoded));
    }
    return response.next_page_token();
  };
  absl::Status status = internal::for_each_page(kListFlows, fetch);
  if (absl::IsResourceExhausted(status) && calls == 1) {
    // A page of 1000 flows did not fit in a message: one flow per page.
    flows.clear();
    page_size = 1;
    status = internal::for_each_page(kListFlows, fetch);
  }
  SIFT_RETURN_IF_ERROR(status);
  return flows;
}

absl::Status IngestionService::Impl::create_flows_rpc(absl::Span<const FlowConfig> new_flows,
                                                      bool* size_exceeded) {
  wire::CreateIngestionConfigFlowsRequest request;
  request.set_ingestion_config_id(ingestion_config_id);
  for (const FlowConfig& flow : new_flows) internal::encode_flow(flow, request.add_flows());
  const std::size_t size = request.ByteSizeLong();
  if (size > internal::kMaxConfigRequestBytes) {
    if (size_exceeded != nullptr) *size_exceeded = true;
    return too_big("CreateIngestionConfigFlowsRequest", size);
  }
  wire::CreateIngestionConfigFlowsResponse response;
  return internal::unary_call(channel, kCreateFlows, [&](auto* context) {
    return configs->CreateIngestionConfigFlows(context, request, &response);
  });
}

absl::StatusOr<std::unique_ptr<IngestionService>> IngestionService::create(
    SiftChannel channel, TelemetryConfig config, IngestionServiceOptions options) {
  if (channel.grpc_channel() == nullptr) {
    return absl::InvalidArgumentError(
        "IngestionService::create: the SiftChannel has no gRPC channel (use use_sift_channel)");
  }
  if (config.asset_name.empty()) {
    return absl::InvalidArgumentError("IngestionService::create: asset_name cannot be empty");
  }
  if (config.ingestion_client_key.empty()) {
    // Not built with TelemetryConfig::create(): do it now (validation and
    // the generated key).
    SIFT_ASSIGN_OR_RETURN(config, TelemetryConfig::create(std::move(config)));
  } else {
    SIFT_RETURN_IF_ERROR(config.validate());
  }
  // sift_py scopes the config's rules to its asset (on our copy: the
  // caller's config is never changed). sift_py also requires a client key;
  // a rule without one gets a stable key derived from asset and rule name.
  for (RuleConfig& rule : config.rules) {
    if (std::find(rule.asset_names.begin(), rule.asset_names.end(), config.asset_name) ==
        rule.asset_names.end()) {
      rule.asset_names.push_back(config.asset_name);
    }
    if (!rule.rule_client_key.has_value() || rule.rule_client_key->empty()) {
      rule.rule_client_key = derived_rule_client_key(config.asset_name, rule.name);
    }
  }

  auto impl = std::make_unique<Impl>();
  impl->channel = channel;
  impl->config = std::move(config);
  impl->options = std::move(options);
  impl->organization_id = impl->config.organization_id.value_or("");
  impl->run_id = impl->options.run_id;
  impl->configs = wire::IngestionConfigService::NewStub(channel.grpc_channel());
  impl->runs = runs::v2::RunService::NewStub(channel.grpc_channel());

  bool lazy = impl->options.force_lazy_flow_creation;
  bool size_exceeded = false;
  std::optional<std::vector<FlowConfig>> registered;
  absl::Status status = get_or_create(*impl, lazy, &size_exceeded, &registered);
  if (!status.ok() && size_exceeded) {
    // Too many flows for one request: register them on first use instead.
    lazy = true;
    registered.reset();
    status = get_or_create(*impl, lazy, &size_exceeded, &registered);
  }
  SIFT_RETURN_IF_ERROR(in_create(impl->config, status));
  impl->lazy = lazy;

  // Spec 4.2 step 2: the flow cache.
  const TelemetryConfig& telemetry = impl->config;
  if (lazy || telemetry.ingestion_client_key_is_generated) {
    for (const FlowConfig& flow : telemetry.flows) impl->flows[flow.name] = flow;
    if (!lazy) {
      for (const FlowConfig& flow : telemetry.flows) impl->created.insert(flow.name);
    }
  } else {
    if (!registered.has_value()) {
      absl::StatusOr<std::vector<FlowConfig>> listed = impl->list_flows();
      SIFT_RETURN_IF_ERROR(in_create(impl->config, listed.status()));
      registered = *std::move(listed);
    }
    // The registered definitions win (order, attributes); the last listed
    // flow of a name wins, as in sift_py.
    for (FlowConfig& flow : *registered) {
      impl->created.insert(flow.name);
      impl->flows[flow.name] = std::move(flow);
    }
  }
  // Spec 4.2 step 3: the rules, once their channels are registered; all are
  // resolved and checked before any is written.
  if (!impl->config.rules.empty()) {
    if (lazy) {
      // The rules' channels must exist for the rule check: register the
      // flows that hold them now rather than on first use.
      SIFT_RETURN_IF_ERROR(
          in_create(impl->config, impl->register_lazy_flows(flows_named_by_rules(impl->config))));
    }
    RuleService rules(channel);
    SIFT_RETURN_IF_ERROR(in_create(impl->config, rules.create_or_update_rules(impl->config.rules)));
  }
  // Last, so a failed create() leaves no sender behind.
  SIFT_ASSIGN_OR_RETURN(impl->engine, internal::IngestEngine::start(channel, impl->options.engine));
  return std::unique_ptr<IngestionService>(new IngestionService(std::move(impl)));
}

}  // namespace sift
