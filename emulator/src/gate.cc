#include "gate.h"

namespace sift {
namespace emulator {

void Gate::open() {
  std::lock_guard<std::mutex> lock(mu_);
  open_ = true;
}

void Gate::close(std::chrono::milliseconds grace) {
  std::unique_lock<std::mutex> lock(mu_);
  open_ = false;
  if (left_.wait_for(lock, grace, [&] { return inside_.empty(); })) return;
  // Long-lived ingest streams never end on their own. A context stays valid
  // while it is in the set: its handler removes it (under mu_) before returning.
  for (grpc::ServerContextBase* context : inside_) context->TryCancel();
  left_.wait(lock, [&] { return inside_.empty(); });
}

bool Gate::enter(grpc::ServerContextBase* context) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!open_) return false;
  inside_.insert(context);
  return true;
}

void Gate::leave(grpc::ServerContextBase* context) {
  std::lock_guard<std::mutex> lock(mu_);
  inside_.erase(context);
  if (inside_.empty()) left_.notify_all();
}

CallGuard::CallGuard(Gate& gate, const Auth& auth, grpc::ServerContextBase* context)
    : gate_(gate), context_(context) {
  entered_ = gate_.enter(context_);
  if (!entered_) {
    status_ = grpc::Status(grpc::StatusCode::UNAVAILABLE, "sift-emulator is stopped");
    return;
  }
  // Checked only once inside: the key lives as long as the gate is open.
  status_ = auth.check(*context_);
}

CallGuard::~CallGuard() {
  if (entered_) gate_.leave(context_);
}

}  // namespace emulator
}  // namespace sift
