// Blocks of encoded rows laid back to back (internal/row_block.h).
#include "internal/row_block.h"

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sift {
namespace internal {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> rows_of(const RowBlock& block) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < block.rows(); ++i) out.emplace_back(block.row(i));
  return out;
}

void write_row(RowBlock& block, const std::string& row) {
  char* out = block.reserve(row.size());
  ASSERT_NE(out, nullptr);
  std::memcpy(out, row.data(), row.size());
  block.commit(row.size());
}

TEST(RowBlock, StartsEmpty) {
  RowBlock block(1024);
  EXPECT_TRUE(block.empty());
  EXPECT_EQ(block.rows(), 0u);
  EXPECT_EQ(block.bytes(), 0u);
  EXPECT_EQ(block.capacity(), 1024u);
  EXPECT_EQ(block.first_seq, 0u);
  EXPECT_NE(block.data(), nullptr);
}

TEST(RowBlock, ReserveCommitAndRowViews) {
  RowBlock block(1024);
  char* first = block.reserve(5);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first, block.data());
  std::memcpy(first, "hello", 5);
  block.commit(5);

  char* second = block.reserve(3);
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second, block.data() + 5);
  std::memcpy(second, std::string("a\0b", 3).data(), 3);
  block.commit(3);

  EXPECT_FALSE(block.empty());
  EXPECT_EQ(block.rows(), 2u);
  EXPECT_EQ(block.bytes(), 8u);
  EXPECT_EQ(block.begin_of(0), 0u);
  EXPECT_EQ(block.end_of(0), 5u);
  EXPECT_EQ(block.begin_of(1), 5u);
  EXPECT_EQ(block.end_of(1), 8u);
  EXPECT_EQ(block.row(0), "hello");
  EXPECT_EQ(block.row(1), absl::string_view("a\0b", 3));
  EXPECT_EQ(block.row(1).data(), block.data() + 5);
  EXPECT_EQ(std::string(block.data(), block.bytes()), std::string("helloa\0b", 8));
}

TEST(RowBlock, ReserveWithoutCommitWritesNothing) {
  RowBlock block(64);
  char* a = block.reserve(10);
  char* b = block.reserve(20);
  EXPECT_EQ(a, b);
  EXPECT_TRUE(block.empty());
  EXPECT_EQ(block.bytes(), 0u);
}

TEST(RowBlock, AppendCopiesRows) {
  RowBlock block(64);
  EXPECT_TRUE(block.append("one"));
  EXPECT_TRUE(block.append(""));
  EXPECT_TRUE(block.append("three"));
  EXPECT_EQ(block.rows(), 3u);
  EXPECT_EQ(block.bytes(), 8u);
  EXPECT_THAT(rows_of(block), ElementsAre("one", "", "three"));
}

TEST(RowBlock, FillsExactlyToCapacity) {
  RowBlock block(16);
  EXPECT_TRUE(block.append("0123456789"));
  EXPECT_TRUE(block.append("abcdef"));
  EXPECT_EQ(block.bytes(), 16u);
  EXPECT_EQ(block.capacity(), 16u);
  // A zero-length row still fits a full block.
  EXPECT_TRUE(block.append(""));
  EXPECT_THAT(rows_of(block), ElementsAre("0123456789", "abcdef", ""));
}

TEST(RowBlock, NonEmptyBlockRefusesARowThatDoesNotFit) {
  RowBlock block(16);
  ASSERT_TRUE(block.append("0123456789"));
  const char* data = block.data();

  EXPECT_EQ(block.reserve(7), nullptr);
  EXPECT_FALSE(block.append("abcdefg"));
  EXPECT_EQ(block.reserve(1000), nullptr);
  EXPECT_FALSE(block.append(std::string(1000, 'x')));

  // Nothing changed: not grown, not moved, same rows.
  EXPECT_EQ(block.capacity(), 16u);
  EXPECT_EQ(block.data(), data);
  EXPECT_EQ(block.bytes(), 10u);
  EXPECT_THAT(rows_of(block), ElementsAre("0123456789"));

  // What still fits is accepted.
  EXPECT_NE(block.reserve(6), nullptr);
  EXPECT_TRUE(block.append("abcdef"));
  EXPECT_THAT(rows_of(block), ElementsAre("0123456789", "abcdef"));
}

TEST(RowBlock, EmptyBlockGrowsForAnOversizeRow) {
  RowBlock block(8);
  const std::string big(100, 'q');
  char* out = block.reserve(big.size());
  ASSERT_NE(out, nullptr);
  EXPECT_GE(block.capacity(), big.size());
  std::memcpy(out, big.data(), big.size());
  block.commit(big.size());
  EXPECT_EQ(block.rows(), 1u);
  EXPECT_EQ(block.row(0), big);
  // It is then full: the next row goes elsewhere.
  EXPECT_FALSE(block.append("x"));
  EXPECT_THAT(rows_of(block), ElementsAre(big));
}

TEST(RowBlock, AppendOversizeRowToEmptyBlock) {
  RowBlock block(4);
  EXPECT_TRUE(block.append("a much longer row"));
  EXPECT_THAT(rows_of(block), ElementsAre("a much longer row"));
}

TEST(RowBlock, ZeroCapacityBlock) {
  RowBlock block(0);
  EXPECT_EQ(block.capacity(), 0u);
  EXPECT_TRUE(block.append("abc"));
  EXPECT_THAT(rows_of(block), ElementsAre("abc"));
}

TEST(RowBlock, ReserveGrowingWithinCapacityDoesNotMove) {
  RowBlock block(64);
  ASSERT_TRUE(block.append("abc"));
  const char* data = block.data();
  char* out = block.reserve_growing(10);
  EXPECT_EQ(out, data + 3);
  EXPECT_EQ(block.data(), data);
  EXPECT_EQ(block.capacity(), 64u);
}

TEST(RowBlock, ReserveGrowingKeepsEarlierRows) {
  RowBlock block(16);
  ASSERT_TRUE(block.append("0123456789"));
  ASSERT_TRUE(block.append("abc"));
  block.first_seq = 77;

  const std::string big(1000, 'z');
  char* out = block.reserve_growing(big.size());
  ASSERT_NE(out, nullptr);
  EXPECT_GE(block.capacity(), 13u + big.size());
  EXPECT_EQ(out, block.data() + 13);
  std::memcpy(out, big.data(), big.size());
  block.commit(big.size());

  EXPECT_EQ(block.rows(), 3u);
  EXPECT_EQ(block.bytes(), 1013u);
  EXPECT_EQ(block.first_seq, 77u);
  EXPECT_THAT(rows_of(block), ElementsAre("0123456789", "abc", big));
}

TEST(RowBlock, ReserveGrowingMakesRoomInWholePages) {
  RowBlock block(100);
  ASSERT_TRUE(block.append(std::string(60, 'a')));
  ASSERT_NE(block.reserve_growing(50), nullptr);
  EXPECT_GE(block.capacity(), 110u);
  EXPECT_EQ(block.capacity() % 4096, 0u);
  block.commit(0);
  EXPECT_THAT(rows_of(block), ElementsAre(std::string(60, 'a'), ""));
}

TEST(RowBlock, ReserveGrowingManyRows) {
  // The scratch-block pattern: encode many rows, growing as needed.
  RowBlock block(8);
  std::vector<std::string> expected;
  for (int i = 0; i < 500; ++i) {
    const std::string row(static_cast<std::size_t>(i % 37), static_cast<char>('a' + i % 26));
    char* out = block.reserve_growing(row.size());
    ASSERT_NE(out, nullptr);
    if (!row.empty()) std::memcpy(out, row.data(), row.size());
    block.commit(row.size());
    expected.push_back(row);
  }
  EXPECT_EQ(rows_of(block), expected);
}

TEST(RowBlock, ClearResetsRowsBytesAndFirstSeqButKeepsCapacity) {
  RowBlock block(16);
  ASSERT_TRUE(block.append("0123456789"));
  ASSERT_NE(block.reserve_growing(500), nullptr);
  block.commit(500);
  block.first_seq = 1234;
  const std::size_t capacity = block.capacity();
  const char* data = block.data();
  ASSERT_GE(capacity, 510u);

  block.clear();
  EXPECT_TRUE(block.empty());
  EXPECT_EQ(block.rows(), 0u);
  EXPECT_EQ(block.bytes(), 0u);
  EXPECT_EQ(block.first_seq, 0u);
  EXPECT_EQ(block.capacity(), capacity);
  EXPECT_EQ(block.data(), data);

  // The whole kept capacity is usable again without growing.
  const std::string row(capacity, 'r');
  EXPECT_EQ(block.reserve(capacity), data);
  EXPECT_TRUE(block.append(row));
  EXPECT_EQ(block.data(), data);
  EXPECT_THAT(rows_of(block), ElementsAre(row));
  EXPECT_FALSE(block.append("x"));
}

TEST(RowBlock, ClearAfterOversizeRowKeepsTheGrownCapacity) {
  RowBlock block(8);
  ASSERT_TRUE(block.append(std::string(300, 'o')));
  block.clear();
  EXPECT_EQ(block.capacity(), 300u);
  EXPECT_TRUE(block.append(std::string(150, 'p')));
  EXPECT_TRUE(block.append(std::string(150, 'q')));
  EXPECT_FALSE(block.append("r"));
}

}  // namespace
}  // namespace internal
}  // namespace sift
