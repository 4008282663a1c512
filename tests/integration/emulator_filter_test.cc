// The emulator's small pieces on their own: the filter parser every List RPC
// shares, page tokens and ids.
#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "filter.h"
#include "ids.h"
#include "paging.h"

namespace {

using sift::emulator::Filter;
using sift::emulator::parse_filter;
using sift::emulator::parse_filter_for;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST(EmulatorFilterTest, EmptyAndBlankMatchEverything) {
  for (const char* text : {"", "   ", "\t\n"}) {
    absl::StatusOr<Filter> filter = parse_filter(text);
    ASSERT_TRUE(filter.ok()) << text;
    EXPECT_THAT(filter->terms, SizeIs(0));
    EXPECT_TRUE(filter->matches([](const std::string&) { return "anything"; }));
  }
}

TEST(EmulatorFilterTest, EqualityInBothQuoteStylesWithOptionalSpaces) {
  for (const char* text : {R"(client_key=="abc")", R"(client_key == "abc")", R"(client_key=='abc')",
                           R"(  client_key ==  'abc'  )"}) {
    absl::StatusOr<Filter> filter = parse_filter(text);
    ASSERT_TRUE(filter.ok()) << text << ": " << filter.status();
    ASSERT_THAT(filter->terms, SizeIs(1));
    EXPECT_EQ(filter->terms[0].field, "client_key");
    EXPECT_THAT(filter->terms[0].values, ElementsAre("abc"));
  }
}

TEST(EmulatorFilterTest, MembershipLists) {
  absl::StatusOr<Filter> filter = parse_filter(R"(name in ["a","b c", 'd'])");
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_THAT(filter->terms[0].values, ElementsAre("a", "b c", "d"));
  filter = parse_filter("name in[]");
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_THAT(filter->terms[0].values, SizeIs(0));
  EXPECT_FALSE(filter->matches([](const std::string&) { return "a"; }));
}

TEST(EmulatorFilterTest, ConjunctionOfTerms) {
  absl::StatusOr<Filter> filter = parse_filter(R"(asset_id == 'x1' && name in ["c1","c2"])");
  ASSERT_TRUE(filter.ok()) << filter.status();
  ASSERT_THAT(filter->terms, SizeIs(2));
  auto item = [](std::string asset, std::string name) {
    return [=](const std::string& field) { return field == "asset_id" ? asset : name; };
  };
  EXPECT_TRUE(filter->matches(item("x1", "c2")));
  EXPECT_FALSE(filter->matches(item("x2", "c2")));
  EXPECT_FALSE(filter->matches(item("x1", "c3")));
  filter = parse_filter(R"(a=="1"&&b=="2"&&c=="3")");
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_THAT(filter->terms, SizeIs(3));
}

TEST(EmulatorFilterTest, Escapes) {
  absl::StatusOr<Filter> filter = parse_filter(R"(name == "say \"hi\" \\ it's")");
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_THAT(filter->terms[0].values, ElementsAre(R"(say "hi" \ it's)"));
  filter = parse_filter(R"(name == 'it\'s')");
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_THAT(filter->terms[0].values, ElementsAre("it's"));
  // `&&` inside a string is text.
  filter = parse_filter(R"(name == "a && b")");
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_THAT(filter->terms, SizeIs(1));
}

TEST(EmulatorFilterTest, RejectsEverythingElseNamingTheFilter) {
  for (const char* text : {
           R"(name = "x")",
           R"(name == x)",
           R"(name == "x)",
           R"(name in ["a" "b"])",
           R"(name in ["a",])",
           R"(name in "a")",
           R"(name == "x" &&)",
           R"(name == "x" || id == "y")",
           R"(name != "x")",
           R"(name == "a\nb")",
           R"(== "x")",
           R"(1name == "x")",
           R"(name inx ["a"])",
           R"(created_date > timestamp("2024"))",
           R"(name == "x" extra)",
           R"(name == "x" & id == "y")",
       }) {
    absl::StatusOr<Filter> filter = parse_filter(text);
    ASSERT_FALSE(filter.ok()) << text;
    EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(filter.status().message()), HasSubstr(text));
    EXPECT_THAT(std::string(filter.status().message()), HasSubstr("column"));
  }
}

TEST(EmulatorFilterTest, FieldsAreCheckedPerMethod) {
  absl::StatusOr<Filter> filter =
      parse_filter_for("ListRuns", R"(name=="a" && created_by_user_id=="u")", {"name", "run_id"});
  ASSERT_FALSE(filter.ok());
  EXPECT_EQ(filter.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(filter.status().message());
  EXPECT_THAT(message, HasSubstr("ListRuns"));
  EXPECT_THAT(message, HasSubstr("`created_by_user_id`"));
  EXPECT_THAT(message, HasSubstr("name, run_id"));
  filter = parse_filter_for("ListRuns", "name ==", {"name"});
  ASSERT_FALSE(filter.ok());
  EXPECT_THAT(std::string(filter.status().message()), HasSubstr("ListRuns"));
  EXPECT_TRUE(parse_filter_for("ListRuns", R"(run_id=="r")", {"name", "run_id"}).ok());
}

TEST(EmulatorPagingTest, DefaultsClampsAndTokens) {
  auto page = sift::emulator::parse_page("ListX", 0, "", 1000);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->size, 50u);
  EXPECT_EQ(page->offset, 0u);
  page = sift::emulator::parse_page("ListX", 5000, "120", 1000);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->size, 1000u);
  EXPECT_EQ(page->offset, 120u);
  for (const char* token : {"x", "-1", "1e3", "99999999999999999999"}) {
    page = sift::emulator::parse_page("ListX", 1, token, 1000);
    ASSERT_FALSE(page.ok()) << token;
    EXPECT_THAT(std::string(page.status().message()), HasSubstr("ListX"));
  }

  std::vector<int> items{1, 2, 3, 4, 5};
  std::vector<int> got;
  std::string next = sift::emulator::take_page(items, {2, 2}, [&](int&& v) { got.push_back(v); });
  EXPECT_THAT(got, ElementsAre(3, 4));
  EXPECT_EQ(next, "4");
  got.clear();
  next = sift::emulator::take_page(items, {4, 2}, [&](int&& v) { got.push_back(v); });
  EXPECT_THAT(got, ElementsAre(5));
  EXPECT_EQ(next, "");
  got.clear();
  next = sift::emulator::take_page(items, {50, 2}, [&](int&& v) { got.push_back(v); });
  EXPECT_THAT(got, SizeIs(0));
  EXPECT_EQ(next, "");
}

TEST(EmulatorIdsTest, UuidShapedAndUnique) {
  sift::emulator::IdGenerator ids;
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    const std::string id = ids.next();
    ASSERT_EQ(id.size(), 36u) << id;
    EXPECT_EQ(id[8], '-');
    EXPECT_EQ(id[13], '-');
    EXPECT_EQ(id[14], '4');
    EXPECT_EQ(id[18], '-');
    EXPECT_EQ(id[19], '8');
    EXPECT_EQ(id[23], '-');
    ASSERT_TRUE(seen.insert(id).second) << id;
  }
  sift::emulator::IdGenerator other;
  EXPECT_NE(other.next(), *seen.begin());
}

}  // namespace
