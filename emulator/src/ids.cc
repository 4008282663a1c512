#include "ids.h"

#include <cstdio>

namespace sift {
namespace emulator {

IdGenerator::IdGenerator() {
  std::random_device device;
  rng_.seed((static_cast<std::uint64_t>(device()) << 32) ^ device());
}

std::string IdGenerator::next() {
  const std::uint64_t high = rng_();
  const std::uint64_t count = ++counter_ & 0xFFFFFFFFFFFFull;
  char text[40];
  std::snprintf(text, sizeof(text), "%08x-%04x-4%03x-8%03x-%012llx",
                static_cast<unsigned>(high >> 32), static_cast<unsigned>((high >> 16) & 0xFFFF),
                static_cast<unsigned>((high >> 4) & 0xFFF),
                static_cast<unsigned>(((high & 0xF) << 8) | ((high >> 52) & 0xFF)),
                static_cast<unsigned long long>(count));
  return text;
}

}  // namespace emulator
}  // namespace sift
