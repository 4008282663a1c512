// Lets calls into the store only while the emulator is started, and knows
// which calls are inside, so stop() can end them and wait for them. It is
// what lets in-process channels live across stop()/start(): gRPC crashes on a
// call over an in-process channel whose server was shut down, so that server
// is never shut down while a channel may use it; stop() closes the gate
// instead and every call answers UNAVAILABLE, exactly like a stopped TCP
// server.
#ifndef SIFT_EMULATOR_GATE_H_
#define SIFT_EMULATOR_GATE_H_

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>

#include <grpcpp/grpcpp.h>

#include "auth.h"

namespace sift {
namespace emulator {

class Gate {
 public:
  void open();
  // Refuses new calls, gives the calls inside `grace` to finish, cancels the
  // rest and returns once none is inside.
  void close(std::chrono::milliseconds grace);

 private:
  friend class CallGuard;
  bool enter(grpc::ServerContextBase* context);
  void leave(grpc::ServerContextBase* context);

  std::mutex mu_;
  std::condition_variable left_;
  bool open_ = false;
  std::set<grpc::ServerContextBase*> inside_;
};

// Held by every handler for its whole run: status() is UNAVAILABLE while the
// emulator is stopped, UNAUTHENTICATED for a bad key, OK otherwise.
class CallGuard {
 public:
  CallGuard(Gate& gate, const Auth& auth, grpc::ServerContextBase* context);
  ~CallGuard();
  CallGuard(const CallGuard&) = delete;
  CallGuard& operator=(const CallGuard&) = delete;

  bool ok() const { return status_.ok(); }
  const grpc::Status& status() const { return status_; }

 private:
  Gate& gate_;
  grpc::ServerContextBase* context_;
  bool entered_ = false;
  grpc::Status status_;
};

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_GATE_H_
