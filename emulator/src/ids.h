// UUID-shaped ids for everything the emulator creates.
#ifndef SIFT_EMULATOR_IDS_H_
#define SIFT_EMULATOR_IDS_H_

#include <cstdint>
#include <random>
#include <string>

namespace sift {
namespace emulator {

// Not thread-safe; the store calls it under its lock.
class IdGenerator {
 public:
  IdGenerator();
  // `xxxxxxxx-xxxx-4xxx-8xxx-cccccccccccc`: random high bits (distinct across
  // emulators), a counter in the low 48 bits (never repeats within one).
  std::string next();

 private:
  std::mt19937_64 rng_;
  std::uint64_t counter_ = 0;
};

}  // namespace emulator
}  // namespace sift

#endif  // SIFT_EMULATOR_IDS_H_
