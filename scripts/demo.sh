#!/usr/bin/env bash
# The README demo command: set-up, build, run the main job.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

step "build"
build_preset default sift-config

step "sift-config check examples/telemetry_config/nostromo_lv_426.yml"
build/default/bin/sift-config check examples/telemetry_config/nostromo_lv_426.yml \
  -m examples/telemetry_config/expression_modules/kinematics.yml \
  -m examples/telemetry_config/expression_modules/string.yml
