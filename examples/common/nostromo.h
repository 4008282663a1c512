// The four-flow NostromoLV426 telemetry config of sift_py's ingestion guide,
// shared by the examples. Header-only so each example also builds on its own.
#ifndef SIFT_EXAMPLES_COMMON_NOSTROMO_H_
#define SIFT_EXAMPLES_COMMON_NOSTROMO_H_

#include "sift/ingestion/channel.h"
#include "sift/ingestion/config/telemetry.h"
#include "sift/ingestion/flow.h"

namespace sift_examples {

// The draft (not yet validated) config: flows `readings` (mainmotor.velocity,
// voltage, vehicle_state, gpio), `voltage`, `gpio_channel` and `logs`; no
// client key, so TelemetryConfig::create() generates one from the schema.
inline sift::TelemetryConfig nostromo_lv_426_draft() {
  sift::ChannelConfig log;
  log.name = "log";
  log.data_type = sift::ChannelDataType::kString;
  log.description = "asset logs";

  // `component` is deprecated: it only prefixes the name, so this channel's
  // fully qualified name is `mainmotor.velocity`. New code writes
  // `velocity.name = "mainmotor.velocity"` instead.
  sift::ChannelConfig velocity;
  velocity.name = "velocity";
  velocity.component = "mainmotor";
  velocity.data_type = sift::ChannelDataType::kDouble;
  velocity.description = "speed";
  velocity.unit = "Miles Per Hour";

  sift::ChannelConfig voltage;
  voltage.name = "voltage";
  voltage.data_type = sift::ChannelDataType::kInt32;
  voltage.description = "voltage at source";
  voltage.unit = "Volts";

  sift::ChannelConfig vehicle_state;
  vehicle_state.name = "vehicle_state";
  vehicle_state.data_type = sift::ChannelDataType::kEnum;
  vehicle_state.description = "vehicle state";
  vehicle_state.enum_types = {
      {"Accelerating", 0},
      {"Decelerating", 1},
      {"Stopped", 2},
  };

  // One byte on the wire: bit 0 is `12v`, bits 1-2 `charge`, bits 3-6 `led`,
  // bit 7 `heater`.
  sift::ChannelConfig gpio;
  gpio.name = "gpio";
  gpio.data_type = sift::ChannelDataType::kBitField;
  gpio.description = "on/off values for pins on gpio";
  gpio.bit_field_elements = {
      {"12v", 0, 1},
      {"charge", 1, 2},
      {"led", 3, 4},
      {"heater", 7, 1},
  };

  sift::TelemetryConfig draft;
  draft.asset_name = "NostromoLV426";
  draft.flows = {
      {"readings", {velocity, voltage, vehicle_state, gpio}},
      {"voltage", {voltage}},
      {"gpio_channel", {gpio}},
      {"logs", {log}},
  };
  return draft;
}

}  // namespace sift_examples

#endif  // SIFT_EXAMPLES_COMMON_NOSTROMO_H_
