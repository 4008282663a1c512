// Rules: a YAML telemetry config whose rule modules use named expressions
// (kinetic energy over a velocity, `contains` over a log, an enum label),
// ingested against Sift or sift-emulator; prints the annotations the rules
// created.
//
//   rules [--uri HOST:PORT] [--apikey KEY] [--no-tls] [EXAMPLE_DIR]
//
// EXAMPLE_DIR holds vehicle.yml, expression_modules/ and rule_modules/; it
// defaults to this example's source directory. Against the emulator, the
// rules' assignee and tag must exist:
//
//   sift-emulator --user ellen.ripley@weylandcorp.com --tag nostromo
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "../common/example_flags.h"
#include "sift/annotations/v1/annotations.grpc.pb.h"
#include "sift/grpc/transport.h"
#include "sift/ingestion/config/yaml.h"
#include "sift/ingestion/service.h"
#include "sift/status.h"
#include "sift/time.h"

#ifndef SIFT_EXAMPLE_DIR
#define SIFT_EXAMPLE_DIR "."
#endif

namespace {

namespace annotations_pb = sift::annotations::v1;

// Ten seconds of a rover speeding up, slowing down and stopping, with one
// error in its log.
absl::Status send_drive(sift::IngestionService& service, sift::Timestamp start) {
  const double velocity[] = {5, 8, 12, 11, 9, 6, 3, 0, 0, 0};
  // vehicle_state keys: 0 Accelerating, 1 Decelerating, 2 Stopped.
  const std::uint32_t state[] = {0, 0, 0, 1, 1, 1, 1, 2, 2, 2};
  for (int i = 0; i < 10; ++i) {
    sift::Flow reading{"readings",
                       start + std::chrono::seconds(i),
                       {{"mainmotor.velocity", std::nullopt, sift::double_value(velocity[i])},
                        {"vehicle_state", std::nullopt, sift::enum_value(state[i])}}};
    SIFT_RETURN_IF_ERROR(service.try_ingest_flows(reading));
  }
  const char* log[] = {"INFO boot", "ERROR pump overheat", "INFO pump recovered"};
  for (int i = 0; i < 3; ++i) {
    sift::Flow line{"logs",
                    start + std::chrono::seconds(1 + 3 * i),
                    {{"log", std::nullopt, sift::string_value(log[i])}}};
    SIFT_RETURN_IF_ERROR(service.try_ingest_flows(line));
  }
  return service.flush();
}

std::string format_time(const google::protobuf::Timestamp& time) {
  return sift::to_rfc3339(sift::Timestamp(std::chrono::seconds(time.seconds()) +
                                          std::chrono::nanoseconds(time.nanos())));
}

// Prints every annotation one of `rules` created (raw AnnotationService call).
absl::Status print_annotations(const sift::SiftChannel& channel,
                               const std::set<std::string>& rules) {
  auto stub = annotations_pb::AnnotationService::NewStub(channel.grpc_channel());
  std::string page_token;
  do {
    annotations_pb::ListAnnotationsRequest request;
    request.set_page_size(1000);
    request.set_page_token(page_token);
    annotations_pb::ListAnnotationsResponse response;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    grpc::Status status = stub->ListAnnotations(&context, request, &response);
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          "ListAnnotations: " + status.error_message());
    }
    for (const annotations_pb::Annotation& annotation : response.annotations()) {
      if (rules.count(annotation.name()) == 0) continue;
      bool phase = annotation.annotation_type() == annotations_pb::ANNOTATION_TYPE_PHASE;
      std::printf(
          "  %-15s %-6s %s .. %s\n", annotation.name().c_str(), phase ? "phase" : "review",
          format_time(annotation.start_time()).c_str(),
          annotation.has_end_time() ? format_time(annotation.end_time()).c_str() : "(still open)");
    }
    page_token = response.next_page_token();
  } while (!page_token.empty());
  return absl::OkStatus();
}

absl::Status run(const sift::SiftChannelConfig& channel_config, const std::filesystem::path& dir) {
  // Rules are checked here: an unbound `$2`, a string compared with a number
  // or an unknown enum label fails the load, naming the rule and column.
  SIFT_ASSIGN_OR_RETURN(
      sift::TelemetryConfig config,
      sift::TelemetryConfig::try_from_yaml(dir / "vehicle.yml",
                                           {dir / "expression_modules" / "kinematics.yml",
                                            dir / "expression_modules" / "string.yml"},
                                           {dir / "rule_modules"}));
  std::set<std::string> rule_names;
  for (const sift::RuleConfig& rule : config.rules) {
    std::printf("rule %s: %s\n", rule.name.c_str(), rule.expression.c_str());
    rule_names.insert(rule.name);
  }

  // create() registers the config and creates or updates its rules (their
  // asset, assignee, tags and channels resolved first).
  SIFT_ASSIGN_OR_RETURN(sift::SiftChannel channel, sift::use_sift_channel(channel_config));
  SIFT_ASSIGN_OR_RETURN(std::unique_ptr<sift::IngestionService> service,
                        sift::IngestionService::create(channel, config));
  const sift::Timestamp start = std::chrono::system_clock::now();
  SIFT_RETURN_IF_ERROR(send_drive(*service, start));
  std::printf("sent 13 rows for asset %s starting %s\n", config.asset_name.c_str(),
              sift::to_rfc3339(start).c_str());

  std::printf("annotations:\n");
  return print_annotations(channel, rule_names);
}

}  // namespace

int main(int argc, char** argv) {
  sift_examples::ExampleFlags flags =
      sift_examples::parse_example_flags(argc, argv, " [EXAMPLE_DIR]");
  if (flags.rest.size() > 1) {
    std::fprintf(stderr, "usage: %s [--uri HOST:PORT] [--apikey KEY] [--no-tls] [EXAMPLE_DIR]\n",
                 argv[0]);
    return 2;
  }
  std::filesystem::path dir = flags.rest.empty() ? SIFT_EXAMPLE_DIR : flags.rest[0];
  absl::Status status = run(flags.channel, dir);
  if (!status.ok()) return sift_examples::fail("rules", status);
  return EXIT_SUCCESS;
}
