// The loader's YAML tree: anchors, aliases, merge keys, duplicate keys,
// positions, tags and the limits that keep hostile input bounded.
#include "yaml/node.h"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sift {
namespace yaml_internal {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

NodePtr parse(std::string_view text) {
  absl::StatusOr<NodePtr> root = parse_yaml(text, "test.yml");
  EXPECT_TRUE(root.ok()) << root.status();
  return root.ok() ? *root : nullptr;
}

std::string parse_error(std::string_view text) {
  absl::StatusOr<NodePtr> root = parse_yaml(text, "test.yml");
  EXPECT_FALSE(root.ok()) << text;
  return root.ok() ? "" : std::string(root.status().message());
}

// Keys of a mapping, in order, and the string value of `key`.
std::vector<std::string> keys(const Node& map) {
  std::vector<std::string> out;
  for (const Entry& entry : map.entries) out.push_back(entry.key->text);
  return out;
}

std::string str(const Node& map, std::string_view key) {
  const Node* value = map.get(key);
  return value == nullptr ? "<absent>" : value->text;
}

TEST(YamlNodeTest, TypesAndText) {
  NodePtr root = parse(
      "a: 1\nb: '1'\nc: yes\nd: \"yes\"\ne: 1.5\nf: ~\ng:\nh: [1, two]\ni: {x: 1}\n"
      "j: |\n  literal\nk: 2024-07-04\n");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->type, NodeType::kMap);
  EXPECT_EQ(root->get("a")->type, NodeType::kInt);
  EXPECT_EQ(root->get("a")->int_value, 1);
  EXPECT_EQ(root->get("b")->type, NodeType::kStr);  // quoted: always str
  EXPECT_EQ(root->get("c")->type, NodeType::kBool);
  EXPECT_EQ(root->get("d")->type, NodeType::kStr);
  EXPECT_EQ(root->get("d")->text, "yes");
  EXPECT_EQ(root->get("e")->type, NodeType::kFloat);
  EXPECT_EQ(root->get("f")->type, NodeType::kNull);
  EXPECT_EQ(root->get("g")->type, NodeType::kNull);
  EXPECT_EQ(root->get("h")->type, NodeType::kSeq);
  EXPECT_EQ(root->get("h")->items.size(), 2u);
  EXPECT_EQ(root->get("i")->type, NodeType::kMap);
  EXPECT_EQ(root->get("j")->type, NodeType::kStr);  // block scalars are strings
  EXPECT_EQ(root->get("j")->text, "literal\n");
  EXPECT_EQ(root->get("k")->type_name(), "date");
  EXPECT_EQ(root->get("missing"), nullptr);
}

TEST(YamlNodeTest, GetMatchesStringKeysOnly) {
  NodePtr root = parse("1: int key\n'1': str key\ntrue: bool key\n");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(str(*root, "1"), "str key");
  EXPECT_EQ(root->get("true"), nullptr);  // `true` is a bool key
}

TEST(YamlNodeTest, MarksAreOneBased) {
  NodePtr root = parse("asset_name: x\nflows:\n  - name: readings\n    channels: []\n");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->mark.line, 1);
  EXPECT_EQ(root->mark.column, 1);
  const Node* asset = root->get("asset_name");
  EXPECT_EQ(asset->mark.line, 1);
  EXPECT_EQ(asset->mark.column, 13);
  const Node* flow = root->get("flows")->items[0].get();
  EXPECT_EQ(flow->mark.line, 3);
  EXPECT_EQ(flow->mark.column, 5);
  EXPECT_EQ(flow->get("channels")->mark.line, 4);
  EXPECT_EQ(flow->get("channels")->mark.column, 15);
}

TEST(YamlNodeTest, EmptyValueIsReportedAtItsKey) {
  // yaml-cpp places an empty value at the next token, a line further down.
  NodePtr root = parse("a:\n  b:\nc: 1\n");
  ASSERT_NE(root, nullptr);
  const Node* b = root->get("a")->get("b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->type, NodeType::kNull);
  EXPECT_EQ(b->mark.line, 2);
  EXPECT_EQ(b->mark.column, 3);
}

TEST(YamlNodeTest, AliasesShareNodesAndRememberWhereTheyAreUsed) {
  NodePtr root = parse("a: &x {name: v}\nb: *x\nc:\n  - *x\n");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->get("a"), root->get("b"));
  const Node* c = root->get("c");
  EXPECT_EQ(c->items[0].get(), root->get("a"));
  // The node keeps its definition's position; its uses are recorded apart.
  EXPECT_EQ(root->get("b")->mark.line, 1);
  EXPECT_EQ(root->mark_of("b").line, 2);
  EXPECT_EQ(root->mark_of("b").column, 4);
  EXPECT_EQ(c->item_mark(0).line, 4);
  EXPECT_EQ(c->item_mark(0).column, 5);
}

TEST(YamlNodeTest, AnchorsCanBeRedefined) {
  NodePtr root = parse("a: &x 1\nb: *x\nc: &x 2\nd: *x\n");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->get("b")->int_value, 1);
  EXPECT_EQ(root->get("d")->int_value, 2);
}

TEST(YamlNodeTest, DuplicateKeysLastWinsFirstPositionKept) {
  NodePtr root = parse("a: 1\nb: 2\na: 3\n");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(keys(*root), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(root->get("a")->int_value, 3);
}

TEST(YamlNodeTest, PythonKeyEquality) {
  // As in a Python dict, 1, 1.0 and true are one key.
  NodePtr root = parse("{1: a, true: b, 1.0: c, '1': d}");
  ASSERT_NE(root, nullptr);
  ASSERT_EQ(root->entries.size(), 2u);
  EXPECT_EQ(root->entries[0].key->type, NodeType::kInt);
  EXPECT_EQ(root->entries[0].value->text, "c");
  EXPECT_EQ(root->entries[1].value->text, "d");
}

TEST(YamlNodeTest, MergeKeyExplicitKeysWin) {
  NodePtr root = parse("base: &b {x: 1, y: 2}\nm:\n  y: 9\n  <<: *b\n  z: 3\n");
  ASSERT_NE(root, nullptr);
  const Node* m = root->get("m");
  EXPECT_EQ(m->get("x")->int_value, 1);
  EXPECT_EQ(m->get("y")->int_value, 9);
  EXPECT_EQ(m->get("z")->int_value, 3);
  EXPECT_EQ(m->get("<<"), nullptr);
  // Merged keys come first, as PyYAML orders them.
  EXPECT_EQ(keys(*m), (std::vector<std::string>{"x", "y", "z"}));
  // The anchored map itself is untouched.
  EXPECT_EQ(keys(*root->get("base")), (std::vector<std::string>{"x", "y"}));
}

TEST(YamlNodeTest, MergeKeyListEarlierMapsWin) {
  NodePtr root = parse(
      "a: &a {x: 1, y: 2}\nb: &b {x: 3, z: 4}\nc: {<<: [*a, *b], y: 9}\nd: {<<: *a, <<: *b}\n");
  ASSERT_NE(root, nullptr);
  const Node* c = root->get("c");
  EXPECT_EQ(c->get("x")->int_value, 1);
  EXPECT_EQ(c->get("y")->int_value, 9);
  EXPECT_EQ(c->get("z")->int_value, 4);
  EXPECT_EQ(keys(*c), (std::vector<std::string>{"x", "z", "y"}));  // PyYAML's order
  // Two `<<` keys: the later one wins.
  EXPECT_EQ(root->get("d")->get("x")->int_value, 3);
  EXPECT_EQ(root->get("d")->get("y")->int_value, 2);
}

TEST(YamlNodeTest, MergeOfAMapThatMerges) {
  NodePtr root = parse("a: &a {x: 1}\nb: &b {<<: *a, y: 2}\nc: {<<: *b, z: 3}\n");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(keys(*root->get("c")), (std::vector<std::string>{"x", "y", "z"}));
}

TEST(YamlNodeTest, QuotedMergeKeyIsAnOrdinaryKey) {
  NodePtr root = parse("a: &a {x: 1}\nb: {'<<': *a}\n");
  ASSERT_NE(root, nullptr);
  EXPECT_NE(root->get("b")->get("<<"), nullptr);
  EXPECT_EQ(root->get("b")->get("x"), nullptr);
}

TEST(YamlNodeTest, MergeErrors) {
  EXPECT_THAT(parse_error("a: {<<: 5}"),
              HasSubstr("expected a mapping or list of mappings for merging, but found int"));
  EXPECT_THAT(parse_error("a: &a {x: 1}\nb: {<<: [*a, 5]}"),
              HasSubstr("expected a mapping for merging, but found int"));
}

TEST(YamlNodeTest, Tags) {
  NodePtr root = parse(
      "a: !!str 123\nb: !!int '0x10'\nc: !!float 2\nd: !!bool 'yes'\ne: !!null x\n"
      "f: !!seq [1]\ng: !!map {x: 1}\nh: ! 12\n");
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->get("a")->type, NodeType::kStr);
  EXPECT_EQ(root->get("a")->text, "123");
  EXPECT_EQ(root->get("b")->int_value, 16);
  EXPECT_EQ(root->get("c")->type, NodeType::kFloat);
  EXPECT_DOUBLE_EQ(root->get("c")->float_value, 2.0);
  EXPECT_TRUE(root->get("d")->bool_value);
  EXPECT_EQ(root->get("e")->type, NodeType::kNull);
  EXPECT_EQ(root->get("f")->type, NodeType::kSeq);
  EXPECT_EQ(root->get("g")->type, NodeType::kMap);
  EXPECT_EQ(root->get("h")->type, NodeType::kStr);  // `!` is the non-specific tag
  EXPECT_THAT(parse_error("a: !!int two"), HasSubstr("could not read 'two' as !!int"));
  EXPECT_THAT(parse_error("a: !thing x"),
              HasSubstr("could not determine a constructor for the tag '!thing'"));
  EXPECT_THAT(parse_error("a: !!set {x: ~}"),
              HasSubstr("could not determine a constructor for the tag '!!set'"));
  EXPECT_THAT(parse_error("a: !!binary aGVsbG8="),
              HasSubstr("could not determine a constructor for the tag '!!binary'"));
}

TEST(YamlNodeTest, EmptyAndCommentOnlyDocumentsAreNull) {
  for (std::string_view text : {"", "# only a comment\n", "---\n", "\n\n"}) {
    NodePtr root = parse(text);
    ASSERT_NE(root, nullptr) << text;
    EXPECT_EQ(root->type, NodeType::kNull) << text;
    EXPECT_EQ(root->mark.line, 1);
  }
}

TEST(YamlNodeTest, OneDocumentOnly) {
  EXPECT_EQ(parse_error("a: 1\n---\nb: 2\n"),
            "test.yml:2:1: expected a single document in the stream but found another document");
  EXPECT_NE(parse("---\na: 1\n...\n"), nullptr);
}

TEST(YamlNodeTest, SyntaxErrorsCarryFileLineColumn) {
  EXPECT_THAT(parse_error("a: [1, 2\nb: 3\n"), StartsWith("test.yml:2:2: "));
  EXPECT_THAT(parse_error("a: *nowhere\n"), StartsWith("test.yml:1:4: "));
  EXPECT_THAT(parse_error("a: b: c\n"), StartsWith("test.yml:1:5: "));
}

TEST(YamlNodeTest, RecursiveAliasIsAnError) {
  EXPECT_THAT(parse_error("&a [*a]"), HasSubstr("alias '*a' refers to a node that contains it"));
  EXPECT_THAT(parse_error("a: &x {b: {c: *x}}"), HasSubstr("alias '*x'"));
}

TEST(YamlNodeTest, NestingDepthIsLimited) {
  const std::string ok = std::string(kMaxNestingDepth, '[') + std::string(kMaxNestingDepth, ']');
  EXPECT_NE(parse(ok), nullptr);
  const std::string deep =
      std::string(kMaxNestingDepth + 1, '[') + std::string(kMaxNestingDepth + 1, ']');
  EXPECT_THAT(parse_error(deep), HasSubstr("nests deeper than 256 levels"));
  // Far deeper than yaml-cpp's own guard, block style.
  std::string block;
  for (int i = 0; i < 5000; ++i) block += std::string(static_cast<size_t>(i), ' ') + "a:\n";
  EXPECT_FALSE(parse_yaml(block, "test.yml").ok());
  EXPECT_FALSE(parse_yaml(std::string(100000, '['), "test.yml").ok());
}

TEST(YamlNodeTest, AliasExpansionIsBounded) {
  // "Billion laughs": ten levels of ten aliases each.
  std::string text = "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i <= 9; ++i) {
    text += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += (j ? ", *l" : "*l") + std::to_string(i - 1);
    text += "]\n";
  }
  EXPECT_THAT(parse_error(text), HasSubstr("nodes once aliases are expanded"));

  // The same with merge keys.
  std::string merges = "m0: &m0 {";
  for (int j = 0; j < 1000; ++j) merges += (j ? ", k" : "k") + std::to_string(j) + ": 1";
  merges += "}\nall:\n";
  for (int j = 0; j < 5000; ++j) merges += "  - <<: *m0\n";
  EXPECT_FALSE(parse_yaml(merges, "test.yml").ok());
}

TEST(YamlNodeTest, UnhashableKey) {
  EXPECT_THAT(parse_error("? [a, b]\n: 1\n"), HasSubstr("found unhashable key (a list)"));
}

TEST(YamlNodeTest, ControlBytesInMessagesAreEscaped) {
  const std::string text("a: \"\\\x01\"\n", 8);
  absl::StatusOr<NodePtr> root = parse_yaml(text, "test.yml");
  ASSERT_FALSE(root.ok());
  for (char c : root.status().message()) {
    EXPECT_GE(static_cast<unsigned char>(c), 0x20);
  }
}

TEST(YamlNodeTest, NulBytesAndBinaryNeverCrash) {
  const std::string nul("asset_name: a\0b\n", 16);
  EXPECT_NO_THROW(parse_yaml(nul, "test.yml"));
  const std::string quoted("a: \"x\0y\"\n", 9);
  absl::StatusOr<NodePtr> root = parse_yaml(quoted, "test.yml");
  if (root.ok()) {
    EXPECT_EQ((*root)->get("a")->text.size(), 3u);
  }
}

TEST(YamlNodeTest, RandomBytesNeverThrow) {
  std::mt19937 rng(426);
  const std::string alphabet = "ab01 :-[]{},&*!|>'\"\n\t#?<~%@`\\.";
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const int length = static_cast<int>(rng() % 64);
    for (int j = 0; j < length; ++j) {
      text.push_back(i % 2 == 0 ? alphabet[rng() % alphabet.size()]
                                : static_cast<char>(rng() % 256));
    }
    EXPECT_NO_THROW({
      absl::StatusOr<NodePtr> root = parse_yaml(text, "random.yml");
      if (!root.ok()) {
        EXPECT_THAT(std::string(root.status().message()), StartsWith("random.yml")) << text;
      }
    }) << text;
  }
}

TEST(YamlNodeTest, MissingFileIsNotFound) {
  absl::StatusOr<NodePtr> root = parse_yaml_file("/nonexistent/dir/config.yml");
  ASSERT_FALSE(root.ok());
  EXPECT_EQ(root.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(root.status().message()), StartsWith("/nonexistent/dir/config.yml: "));
  absl::StatusOr<NodePtr> dir = parse_yaml_file(SIFT_TEST_DATA_DIR);
  ASSERT_FALSE(dir.ok());
  EXPECT_THAT(std::string(dir.status().message()), HasSubstr("directory"));
}

}  // namespace
}  // namespace yaml_internal
}  // namespace sift
