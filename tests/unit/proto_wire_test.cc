// Checks the hand-written protos under proto/sift against the wire fact sheet
// (sift-wire-api.md, found through SIFT_WIRE_SHEET).
//
// Both directions are checked:
//  * every message, enum and service the sheet describes for a package we declare must exist in
//    the generated descriptor pool with the same file, field names, numbers, types, labels
//    (singular / proto3 optional / repeated / map / oneof group), reserved numbers, enum values
//    and RPC signatures;
//  * every message, enum and service declared by a .proto under proto/sift must be described by
//    the sheet.
// Sheet entries for packages we do not declare (e.g. sift.ingestion_configs.v1) are ignored.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "sift/protos_manifest.h"

#ifndef SIFT_WIRE_SHEET
#define SIFT_WIRE_SHEET ""
#endif
#ifndef SIFT_SOURCE_DIR
#define SIFT_SOURCE_DIR ""
#endif

namespace {

namespace pb = google::protobuf;

// The packages the SDK declares, plus the packages their messages depend on. Each must be
// declared by at least one .proto file under proto/sift.
const std::set<std::string> kRequiredPackages = {
    "sift.ingest.v1", "sift.ingestion_configs.v2", "sift.common.type.v1", "sift.metadata.v1",
    "sift.runs.v2", "sift.assets.v1", "sift.ping.v1", "sift.channels.v3", "sift.rules.v1",
    "sift.annotations.v1", "sift.annotation_logs.v1", "sift.users.v2", "sift.tags.v2",
    "sift.data.v2", "sift.calculated_channels.v1", "sift.remote_files.v1",
    // Dependencies of the packages above.
    "sift.common.v1",  // FilterField / FilterFieldType (runs, metadata)
    "sift.tags.v1",    // TagRef / Tag
};

// The only non-sift imports the hand-written protos may use.
const std::set<std::string> kAllowedWellKnownImports = {
    "google/protobuf/timestamp.proto", "google/protobuf/empty.proto",
    "google/protobuf/any.proto",       "google/protobuf/field_mask.proto",
    "google/protobuf/duration.proto",
};

// ---------------------------------------------------------------------------------------------
// The sheet, as parsed from its markdown tables.
// ---------------------------------------------------------------------------------------------

struct SheetField {
  std::string name;
  int number = 0;
  std::string type;   // normalised: no backticks, no spaces
  std::string label;  // "singular", "optional (proto3)", "repeated", "map", "oneof <group>"
  bool deprecated = false;
  int line = 0;
};

struct SheetMessage {
  std::string full_name;
  std::string file;  // explicit "File `protos/...`" of this section, if any
  std::vector<SheetField> fields;
  bool has_table = false;
  bool says_empty = false;
  bool deprecated = false;
  std::set<int> reserved;  // reserved upstream + skipped ("treat as taken")
  int line = 0;
};

struct SheetEnumValue {
  std::string name;
  int number = 0;
  int line = 0;
};

struct SheetEnum {
  std::string full_name;
  std::string file;
  std::vector<SheetEnumValue> values;
  int line = 0;
};

struct SheetRpc {
  std::string name, request, response, kind, path;
  bool deprecated = false;
  int line = 0;
};

struct SheetService {
  std::string full_name;
  std::vector<SheetRpc> rpcs;
  int line = 0;
};

struct Sheet {
  std::map<std::string, SheetMessage> messages;
  std::map<std::string, SheetEnum> enums;
  std::map<std::string, SheetService> services;
  std::map<std::string, std::string> package_files;   // package -> upstream file (without protos/)
  std::set<std::string> index_messages, index_enums;  // section 16
  int total_messages = -1, total_enums = -1;
  std::vector<std::string> errors;
};

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string Remove(std::string s, std::string_view chars) {
  s.erase(std::remove_if(s.begin(), s.end(),
                         [&](char c) { return chars.find(c) != std::string_view::npos; }),
          s.end());
  return s;
}

std::string Unquote(const std::string& s) { return Trim(Remove(s, "`")); }

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::vector<std::string> SplitRow(const std::string& line) {
  std::string s = Trim(line);
  if (StartsWith(s, "|")) s.erase(0, 1);
  if (!s.empty() && s.back() == '|') s.pop_back();
  std::vector<std::string> cells;
  std::stringstream in(s);
  std::string cell;
  while (std::getline(in, cell, '|')) cells.push_back(Trim(cell));
  return cells;
}

std::optional<int> ParseInt(const std::string& s) {
  std::string t = Trim(s);
  if (t.empty() || t.size() > 9 ||
      !std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  return std::stoi(t);
}

Sheet ParseSheet(std::istream& in) {
  enum class Section { kNone, kMessage, kEnum, kService, kIndex };
  const std::regex heading_re(R"(^#### (message|enum) `([^`]+)`)");
  const std::regex service_re(R"(^Service \*\*`([^`]+)`\*\*)");
  const std::regex file_re(R"(^File `protos/([^`]+)`)");
  const std::regex package_file_re(R"(`protos/([^`]+)`[^`]*package `([^`]+)`)");
  const std::regex totals_re(R"(^Totals: (\d+) messages, (\d+) enums)");
  const std::regex index_name_re(R"(`([^`]+)`)");

  Sheet sheet;
  Section section = Section::kNone;
  std::string current;              // full name of the current message/enum/service
  std::string sticky_file;          // last "File `...`" line in the current ### subsection
  std::vector<std::string> header;  // header cells of the table being read
  bool in_table = false;
  int tables_in_section = 0;
  std::string line;
  int lineno = 0;
  auto error = [&](const std::string& what) {
    sheet.errors.push_back("sheet line " + std::to_string(lineno) + ": " + what);
  };

  while (std::getline(in, line)) {
    ++lineno;
    std::smatch m;
    const bool is_row = StartsWith(Trim(line), "|");
    if (!is_row) in_table = false;

    if (std::regex_search(line, m, package_file_re)) sheet.package_files[m[2]] = m[1];

    if (StartsWith(line, "#")) {
      section = Section::kNone;
      current.clear();
      tables_in_section = 0;
      if (StartsWith(line, "## ") || StartsWith(line, "### ")) sticky_file.clear();
      if (StartsWith(line, "## 16.")) section = Section::kIndex;
      if (std::regex_search(line, m, heading_re)) {
        current = m[2];
        if (m[1] == "message") {
          section = Section::kMessage;
          if (sheet.messages.count(current)) error("duplicate message " + current);
          SheetMessage& msg = sheet.messages[current];
          msg.full_name = current;
          msg.file = sticky_file;
          msg.line = lineno;
        } else {
          section = Section::kEnum;
          if (sheet.enums.count(current)) error("duplicate enum " + current);
          SheetEnum& en = sheet.enums[current];
          en.full_name = current;
          en.file = sticky_file;
          en.line = lineno;
        }
      }
      continue;
    }
    if (std::regex_search(line, m, service_re)) {
      section = Section::kService;
      current = m[1];
      tables_in_section = 0;
      if (sheet.services.count(current)) error("duplicate service " + current);
      sheet.services[current].full_name = current;
      sheet.services[current].line = lineno;
      continue;
    }
    if (std::regex_search(line, m, file_re)) {
      sticky_file = m[1];
      if (section == Section::kMessage) sheet.messages[current].file = sticky_file;
      if (section == Section::kEnum) sheet.enums[current].file = sticky_file;
      continue;
    }
    if (std::regex_search(line, m, totals_re)) {
      sheet.total_messages = std::stoi(m[1]);
      sheet.total_enums = std::stoi(m[2]);
      continue;
    }
    if (section == Section::kMessage) {
      SheetMessage& msg = sheet.messages[current];
      if (line.find("message is marked deprecated upstream") != std::string::npos) {
        msg.deprecated = true;
      }
      if (StartsWith(line, "No fields (empty message")) msg.says_empty = true;
      if (StartsWith(line, "Numbering:")) {
        std::string list = line.substr(line.rfind(':') + 1);
        std::stringstream numbers(Remove(list, "."));
        std::string n;
        while (std::getline(numbers, n, ',')) {
          if (std::optional<int> v = ParseInt(n)) {
            msg.reserved.insert(*v);
          } else {
            error("cannot read number '" + n + "' in " + current);
          }
        }
      }
    }
    if (!is_row) continue;

    std::vector<std::string> cells = SplitRow(line);
    if (!in_table) {  // header row of a new table
      in_table = true;
      header = cells;
      ++tables_in_section;
      continue;
    }
    if (!cells.empty() && StartsWith(cells[0], "---")) continue;  // separator row
    if (section != Section::kNone && cells.size() != header.size()) {
      error("table row has " + std::to_string(cells.size()) + " cells, header has " +
            std::to_string(header.size()));
      continue;
    }

    const std::vector<std::string> field_header = {"field", "#", "type", "label", "note"};
    const std::vector<std::string> enum_header = {"value", "number", "note"};
    switch (section) {
      case Section::kMessage: {
        if (header != field_header) break;
        SheetMessage& msg = sheet.messages[current];
        if (tables_in_section != 1) error("second field table in " + current);
        msg.has_table = true;
        SheetField f;
        f.name = Unquote(cells[0]);
        std::optional<int> number = ParseInt(cells[1]);
        if (!number) error("bad field number in " + current + "." + f.name);
        f.number = number.value_or(-1);
        f.type = Remove(cells[2], "` ");
        f.label = Unquote(cells[3]);
        f.deprecated = cells[4].find("**deprecated**") != std::string::npos;
        f.line = lineno;
        msg.fields.push_back(f);
        break;
      }
      case Section::kEnum: {
        if (header != enum_header) break;
        if (tables_in_section != 1) error("second value table in " + current);
        SheetEnumValue v;
        v.name = Unquote(cells[0]);
        std::optional<int> number = ParseInt(cells[1]);
        if (!number) error("bad enum number in " + current + "." + v.name);
        v.number = number.value_or(-1);
        v.line = lineno;
        sheet.enums[current].values.push_back(v);
        break;
      }
      case Section::kService: {
        if (header.size() < 5 || header[0] != "RPC" || header[1] != "request") break;
        if (tables_in_section != 1) break;
        SheetRpc rpc;
        rpc.name = Unquote(cells[0]);
        rpc.request = Unquote(cells[1]);
        rpc.response = Unquote(cells[2]);
        rpc.kind = Trim(cells[3]);
        rpc.path = Unquote(cells[4]);
        rpc.deprecated = cells.size() > 5 && cells[5].find("deprecated") != std::string::npos;
        rpc.line = lineno;
        sheet.services[current].rpcs.push_back(rpc);
        break;
      }
      case Section::kIndex: {
        if (header.size() != 2 || header[0] != "package") break;
        std::set<std::string>& target =
            header[1] == "messages" ? sheet.index_messages : sheet.index_enums;
        const std::string package = Unquote(cells[0]);
        for (std::sregex_iterator it(cells[1].begin(), cells[1].end(), index_name_re), end;
             it != end; ++it) {
          target.insert(package + "." + (*it)[1].str());
        }
        break;
      }
      case Section::kNone:
        break;
    }
  }
  return sheet;
}

// ---------------------------------------------------------------------------------------------
// Descriptor side.
// ---------------------------------------------------------------------------------------------

std::string TypeOf(const pb::FieldDescriptor* f) {
  if (f->is_map()) {
    const pb::Descriptor* entry = f->message_type();
    return "map<" + TypeOf(entry->map_key()) + "," + TypeOf(entry->map_value()) + ">";
  }
  switch (f->type()) {
    case pb::FieldDescriptor::TYPE_MESSAGE:
    case pb::FieldDescriptor::TYPE_GROUP:
      return f->message_type()->full_name();
    case pb::FieldDescriptor::TYPE_ENUM:
      return f->enum_type()->full_name();
    default:
      return pb::FieldDescriptor::TypeName(f->type());
  }
}

std::string LabelOf(const pb::FieldDescriptor* f) {
  if (f->is_map()) return "map";
  if (f->is_repeated()) return "repeated";
  if (const pb::OneofDescriptor* oneof = f->real_containing_oneof()) {
    return "oneof " + oneof->name();
  }
  if (f->has_optional_keyword()) return "optional (proto3)";
  if (f->is_required()) return "required (proto2)";
  return "singular";
}

std::string KindOf(const pb::MethodDescriptor* m) {
  if (m->client_streaming() && m->server_streaming()) return "bidi";
  if (m->client_streaming()) return "client-streaming";
  if (m->server_streaming()) return "server-streaming";
  return "unary";
}

// All messages (including nested ones, excluding map entries) and enums declared in a file.
void CollectTypes(const pb::Descriptor* d, std::vector<const pb::Descriptor*>* messages,
                  std::vector<const pb::EnumDescriptor*>* enums) {
  if (d->options().map_entry()) return;
  messages->push_back(d);
  for (int i = 0; i < d->nested_type_count(); ++i) CollectTypes(d->nested_type(i), messages, enums);
  for (int i = 0; i < d->enum_type_count(); ++i) enums->push_back(d->enum_type(i));
}

// ---------------------------------------------------------------------------------------------
// Fixture: the sheet and the generated files, loaded once.
// ---------------------------------------------------------------------------------------------

class ProtoWireTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string path = SIFT_WIRE_SHEET;
    std::ifstream in(path);
    if (path.empty() || !in) return;
    sheet_ = new Sheet(ParseSheet(in));
    files_ = new std::vector<const pb::FileDescriptor*>(sift::protos::file_descriptors());
    for (const pb::FileDescriptor* file : *files_) {
      if (file != nullptr) defined_packages_.insert(file->package());
    }
  }

  static void TearDownTestSuite() {
    delete sheet_;
    sheet_ = nullptr;
    delete files_;
    files_ = nullptr;
    defined_packages_.clear();
  }

  void SetUp() override {
    if (sheet_ == nullptr) {
      GTEST_SKIP() << "wire fact sheet not found at '" << SIFT_WIRE_SHEET
                   << "'; cannot check the protos against it";
    }
  }

  // The package of a sheet type name, if it is one we check (declared by us or required).
  static std::optional<std::string> CheckedPackage(const std::string& full_name) {
    std::optional<std::string> best;
    auto consider = [&](const std::string& package) {
      if (StartsWith(full_name, package + ".") && (!best || package.size() > best->size())) {
        best = package;
      }
    };
    for (const std::string& p : kRequiredPackages) consider(p);
    for (const std::string& p : defined_packages_) consider(p);
    return best;
  }

  // Upstream file the sheet gives for a type (explicit "File" line, else the package's file).
  static std::string ExpectedFile(const std::string& explicit_file, const std::string& package) {
    if (!explicit_file.empty()) return explicit_file;
    auto it = sheet_->package_files.find(package);
    return it == sheet_->package_files.end() ? std::string() : it->second;
  }

  static const pb::DescriptorPool* pool() { return pb::DescriptorPool::generated_pool(); }

  static Sheet* sheet_;
  static std::vector<const pb::FileDescriptor*>* files_;
  static std::set<std::string> defined_packages_;
};

Sheet* ProtoWireTest::sheet_ = nullptr;
std::vector<const pb::FileDescriptor*>* ProtoWireTest::files_ = nullptr;
std::set<std::string> ProtoWireTest::defined_packages_;

// The parser must have understood the whole sheet: its own index (section 16) and totals must
// agree with the sections that were parsed, and every section must have a usable table.
TEST_F(ProtoWireTest, SheetParsesCompletely) {
  for (const std::string& e : sheet_->errors) ADD_FAILURE() << e;

  std::set<std::string> parsed_messages, parsed_enums;
  for (const auto& [name, msg] : sheet_->messages) {
    parsed_messages.insert(name);
    EXPECT_NE(msg.has_table, msg.says_empty)
        << name << " (sheet line " << msg.line
        << "): expected either a field table or 'No fields', found "
        << (msg.has_table ? "both" : "neither");
  }
  for (const auto& [name, en] : sheet_->enums) {
    parsed_enums.insert(name);
    EXPECT_FALSE(en.values.empty()) << name << " (sheet line " << en.line << "): no value table";
  }
  for (const auto& [name, svc] : sheet_->services) {
    EXPECT_FALSE(svc.rpcs.empty()) << name << " (sheet line " << svc.line << "): no RPC table";
  }
  EXPECT_EQ(parsed_messages, sheet_->index_messages) << "parsed messages differ from the index";
  EXPECT_EQ(parsed_enums, sheet_->index_enums) << "parsed enums differ from the index";
  EXPECT_EQ(static_cast<int>(parsed_messages.size()), sheet_->total_messages);
  EXPECT_EQ(static_cast<int>(parsed_enums.size()), sheet_->total_enums);
}

// Every .proto under proto/sift is compiled into sift::protos and present in the generated pool,
// is proto3, and imports only well-known types and our own files.
TEST_F(ProtoWireTest, EveryProtoFileIsCompiledIn) {
  const std::vector<std::string_view>& compiled = sift::protos::proto_files();
  ASSERT_EQ(compiled.size(), files_->size());
  ASSERT_FALSE(compiled.empty());

  const std::filesystem::path proto_root = std::filesystem::path(SIFT_SOURCE_DIR) / "proto";
  if (std::string(SIFT_SOURCE_DIR).empty() || !std::filesystem::is_directory(proto_root / "sift")) {
    ADD_FAILURE() << "SIFT_SOURCE_DIR does not point at the checkout (" << SIFT_SOURCE_DIR
                  << "); cannot list proto/sift";
  } else {
    std::set<std::string> on_disk;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(proto_root / "sift")) {
      if (entry.is_regular_file() && entry.path().extension() == ".proto") {
        on_disk.insert(entry.path().lexically_relative(proto_root).generic_string());
      }
    }
    EXPECT_EQ(on_disk, std::set<std::string>(compiled.begin(), compiled.end()))
        << "proto/sift and the files compiled into sift::protos differ (re-run cmake?)";
  }

  for (size_t i = 0; i < compiled.size(); ++i) {
    const pb::FileDescriptor* file = (*files_)[i];
    ASSERT_NE(file, nullptr) << compiled[i] << " is not in the generated descriptor pool";
    EXPECT_EQ(file->syntax(), pb::FileDescriptor::SYNTAX_PROTO3) << file->name();
    for (int d = 0; d < file->dependency_count(); ++d) {
      const std::string& dep = file->dependency(d)->name();
      EXPECT_TRUE(StartsWith(dep, "sift/") || kAllowedWellKnownImports.count(dep))
          << file->name() << " imports " << dep;
    }
  }
  for (const std::string& package : kRequiredPackages) {
    EXPECT_TRUE(defined_packages_.count(package)) << "no .proto declares package " << package;
  }
}

TEST_F(ProtoWireTest, MessagesMatchSheet) {
  int checked = 0;
  for (const auto& [name, msg] : sheet_->messages) {
    std::optional<std::string> package = CheckedPackage(name);
    if (!package) continue;  // a package we do not declare
    ++checked;
    const std::string where = name + " (sheet line " + std::to_string(msg.line) + ")";
    const pb::Descriptor* d = pool()->FindMessageTypeByName(name);
    if (d == nullptr) {
      ADD_FAILURE() << "message " << where << " is not declared";
      continue;
    }
    EXPECT_EQ(d->file()->package(), *package) << where << ": wrong package (nesting?)";
    EXPECT_EQ(d->file()->name(), ExpectedFile(msg.file, *package)) << where << ": wrong file";
    EXPECT_EQ(d->options().deprecated(), msg.deprecated) << where << ": message deprecation";

    std::set<std::string> sheet_names;
    for (const SheetField& sf : msg.fields) {
      sheet_names.insert(sf.name);
      const std::string fwhere =
          name + "." + sf.name + " (sheet line " + std::to_string(sf.line) + ")";
      const pb::FieldDescriptor* f = d->FindFieldByName(sf.name);
      if (f == nullptr) {
        ADD_FAILURE() << "field " << fwhere << " is not declared";
        continue;
      }
      EXPECT_EQ(f->number(), sf.number) << fwhere << ": field number";
      EXPECT_EQ(TypeOf(f), sf.type) << fwhere << ": field type";
      EXPECT_EQ(LabelOf(f), sf.label) << fwhere << ": field label";
      EXPECT_EQ(f->options().deprecated(), sf.deprecated) << fwhere << ": field deprecation";
    }
    for (int i = 0; i < d->field_count(); ++i) {
      EXPECT_TRUE(sheet_names.count(d->field(i)->name()))
          << "field " << d->field(i)->full_name() << " = " << d->field(i)->number()
          << " is not in the sheet (" << where << ")";
    }
    if (msg.says_empty) {
      EXPECT_EQ(d->field_count(), 0) << where << ": sheet says no fields";
    }

    // Numbers the sheet lists as reserved or "treat as taken" are reserved here, and nothing
    // else is.
    for (int number : msg.reserved) {
      EXPECT_TRUE(d->IsReservedNumber(number))
          << where << ": number " << number << " must be reserved";
      EXPECT_EQ(d->FindFieldByNumber(number), nullptr)
          << where << ": number " << number << " is taken upstream";
    }
    for (int i = 0; i < d->reserved_range_count(); ++i) {
      const pb::Descriptor::ReservedRange* r = d->reserved_range(i);
      for (int number = r->start; number < r->end; ++number) {
        EXPECT_TRUE(msg.reserved.count(number))
            << where << ": reserves " << number << ", which the sheet does not list";
      }
    }
    EXPECT_EQ(d->reserved_name_count(), 0) << where << ": unexpected reserved names";
  }
  std::cout << "[ proto_wire ] checked " << checked << " messages against the sheet\n";
  EXPECT_GT(checked, 0);
}

TEST_F(ProtoWireTest, EnumsMatchSheet) {
  int checked = 0;
  for (const auto& [name, en] : sheet_->enums) {
    std::optional<std::string> package = CheckedPackage(name);
    if (!package) continue;
    ++checked;
    const std::string where = name + " (sheet line " + std::to_string(en.line) + ")";
    const pb::EnumDescriptor* d = pool()->FindEnumTypeByName(name);
    if (d == nullptr) {
      ADD_FAILURE() << "enum " << where << " is not declared";
      continue;
    }
    EXPECT_EQ(d->file()->package(), *package) << where << ": wrong package";
    EXPECT_EQ(d->file()->name(), ExpectedFile(en.file, *package)) << where << ": wrong file";
    std::set<std::string> sheet_names;
    for (const SheetEnumValue& sv : en.values) {
      sheet_names.insert(sv.name);
      const pb::EnumValueDescriptor* v = d->FindValueByName(sv.name);
      if (v == nullptr) {
        ADD_FAILURE() << "enum value " << name << "." << sv.name << " (sheet line " << sv.line
                      << ") is not declared";
        continue;
      }
      EXPECT_EQ(v->number(), sv.number)
          << name << "." << sv.name << " (sheet line " << sv.line << "): enum value number";
    }
    for (int i = 0; i < d->value_count(); ++i) {
      EXPECT_TRUE(sheet_names.count(d->value(i)->name()))
          << "enum value " << name << "." << d->value(i)->name() << " is not in the sheet";
    }
  }
  std::cout << "[ proto_wire ] checked " << checked << " enums against the sheet\n";
  EXPECT_GT(checked, 0);
}

TEST_F(ProtoWireTest, ServicesMatchSheet) {
  int checked = 0, rpcs = 0;
  for (const auto& [name, svc] : sheet_->services) {
    std::optional<std::string> package = CheckedPackage(name);
    if (!package) continue;
    ++checked;
    const std::string where = name + " (sheet line " + std::to_string(svc.line) + ")";
    const pb::ServiceDescriptor* d = pool()->FindServiceByName(name);
    if (d == nullptr) {
      ADD_FAILURE() << "service " << where << " is not declared";
      continue;
    }
    EXPECT_EQ(d->file()->package(), *package) << where << ": wrong package";
    EXPECT_EQ(d->file()->name(), ExpectedFile("", *package)) << where << ": wrong file";
    std::set<std::string> sheet_names;
    for (const SheetRpc& rpc : svc.rpcs) {
      ++rpcs;
      sheet_names.insert(rpc.name);
      const std::string rwhere =
          name + "/" + rpc.name + " (sheet line " + std::to_string(rpc.line) + ")";
      const pb::MethodDescriptor* m = d->FindMethodByName(rpc.name);
      if (m == nullptr) {
        ADD_FAILURE() << "RPC " << rwhere << " is not declared";
        continue;
      }
      EXPECT_EQ(m->input_type()->full_name(), rpc.request) << rwhere << ": request type";
      EXPECT_EQ(m->output_type()->full_name(), rpc.response) << rwhere << ": response type";
      EXPECT_EQ(KindOf(m), rpc.kind) << rwhere << ": streaming kind";
      EXPECT_EQ("/" + d->full_name() + "/" + m->name(), rpc.path) << rwhere << ": method path";
      EXPECT_EQ(m->options().deprecated(), rpc.deprecated) << rwhere << ": RPC deprecation";
    }
    for (int i = 0; i < d->method_count(); ++i) {
      EXPECT_TRUE(sheet_names.count(d->method(i)->name()))
          << "RPC " << d->method(i)->full_name() << " is not in the sheet";
    }
  }
  std::cout << "[ proto_wire ] checked " << checked << " services (" << rpcs
            << " RPCs) against the sheet\n";
  EXPECT_GT(checked, 0);
}

// The other direction: nothing is declared that the sheet does not describe.
TEST_F(ProtoWireTest, EveryDeclaredTypeIsInSheet) {
  int declared = 0;
  for (const pb::FileDescriptor* file : *files_) {
    ASSERT_NE(file, nullptr);
    std::vector<const pb::Descriptor*> messages;
    std::vector<const pb::EnumDescriptor*> enums;
    for (int i = 0; i < file->message_type_count(); ++i) {
      CollectTypes(file->message_type(i), &messages, &enums);
    }
    for (int i = 0; i < file->enum_type_count(); ++i) enums.push_back(file->enum_type(i));
    for (const pb::Descriptor* d : messages) {
      ++declared;
      EXPECT_TRUE(sheet_->messages.count(d->full_name()))
          << "message " << d->full_name() << " (" << file->name() << ") is not in the sheet";
    }
    for (const pb::EnumDescriptor* d : enums) {
      ++declared;
      EXPECT_TRUE(sheet_->enums.count(d->full_name()))
          << "enum " << d->full_name() << " (" << file->name() << ") is not in the sheet";
    }
    for (int i = 0; i < file->service_count(); ++i) {
      ++declared;
      EXPECT_TRUE(sheet_->services.count(file->service(i)->full_name()))
          << "service " << file->service(i)->full_name() << " (" << file->name()
          << ") is not in the sheet";
    }
    EXPECT_EQ(file->extension_count(), 0) << file->name() << " declares extensions";
  }
  std::cout << "[ proto_wire ] " << files_->size() << " files declare " << declared
            << " messages, enums and services\n";
}

}  // namespace
