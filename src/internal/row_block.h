// A block of encoded rows laid back to back: the unit the ingestion engine
// queues, hands to its sender, keeps for replay and recycles, so that the
// hot path copies bytes into memory it already owns instead of allocating.
#ifndef SIFT_INTERNAL_ROW_BLOCK_H_
#define SIFT_INTERNAL_ROW_BLOCK_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/strings/string_view.h"

namespace sift {
namespace internal {

class RowBlock {
 public:
  // Room for `capacity` bytes; a larger row still fits in an empty block.
  explicit RowBlock(std::size_t capacity) : data_(new char[capacity]), capacity_(capacity) {
    ends_.reserve(capacity / 64);  // rows are rarely under 64 bytes; it grows if they are
  }

  // Where to write the next row of `size` bytes, or nullptr when it does not
  // fit (a non-empty block is never grown). Call commit() after writing.
  char* reserve(std::size_t size) {
    if (size_ + size > capacity_) {
      if (!ends_.empty()) return nullptr;
      data_.reset(new char[size]);
      capacity_ = size;
    }
    return data_.get() + size_;
  }
  void commit(std::size_t size) {
    size_ += size;
    ends_.push_back(static_cast<std::uint32_t>(size_));
  }
  // Like reserve(), but grows the block as needed (scratch and stage blocks:
  // the capacity stays for the next use).
  char* reserve_growing(std::size_t size) {
    if (size_ + size > capacity_) {
      // Modest steps: a stage handed to the engine keeps its capacity, and
      // the queue's byte limit counts rows, so slack here is unaccounted memory.
      std::size_t capacity = std::max(capacity_ + capacity_ / 8, size_ + size);
      capacity = (capacity + 4095) / 4096 * 4096;
      std::unique_ptr<char[]> bigger(new char[capacity]);
      if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
      data_ = std::move(bigger);
      capacity_ = capacity;
    }
    return data_.get() + size_;
  }
  // Copies one encoded row in; false when it does not fit.
  bool append(absl::string_view row) {
    char* out = reserve(row.size());
    if (out == nullptr) return false;
    if (!row.empty()) std::memcpy(out, row.data(), row.size());
    commit(row.size());
    return true;
  }

  std::size_t rows() const { return ends_.size(); }
  std::size_t bytes() const { return size_; }
  bool empty() const { return ends_.empty(); }
  std::size_t capacity() const { return capacity_; }
  const char* data() const { return data_.get(); }
  std::size_t begin_of(std::size_t i) const { return i == 0 ? 0 : ends_[i - 1]; }
  std::size_t end_of(std::size_t i) const { return ends_[i]; }
  absl::string_view row(std::size_t i) const {
    return absl::string_view(data_.get() + begin_of(i), end_of(i) - begin_of(i));
  }

  // Sequence number of the first row (the engine numbers rows as accepted).
  std::uint64_t first_seq = 0;

  void clear() {
    size_ = 0;
    ends_.clear();
    first_seq = 0;
  }

 private:
  std::unique_ptr<char[]> data_;
  std::size_t capacity_;
  std::size_t size_ = 0;
  std::vector<std::uint32_t> ends_;
};

using RowBlockPtr = std::unique_ptr<RowBlock>;

}  // namespace internal
}  // namespace sift

#endif  // SIFT_INTERNAL_ROW_BLOCK_H_
