#include "proxy/audit/audit_log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "proxy/audit/audit_verify.h"

namespace mcpsandbox {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mcpsandbox-audit-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "audit.jsonl").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void write_records(int count, AuditOptions options = {}) {
    options.path = path_;
    auto log = AuditLog::open(options, nullptr);
    ASSERT_TRUE(log.ok()) << log.error().message;
    for (int i = 0; i < count; ++i) {
      ASSERT_TRUE(log->record({{"event", "request"}, {"n", i}}).ok());
    }
  }
  std::vector<std::string> lines() {
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  void rewrite(const std::vector<std::string>& lines) {
    std::ofstream out(path_, std::ios::trunc);
    for (const auto& line : lines) out << line << "\n";
  }
  AuditVerdict verify() { return verify_audit_log({path_}); }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(AuditLogTest, ChainsRecordsAndContinuesAcrossReopens) {
  write_records(3);
  write_records(2);  // a second session appends to the same chain
  auto all = lines();
  ASSERT_EQ(all.size(), 5u);
  auto first = nlohmann::json::parse(all[0]);
  EXPECT_EQ(first["seq"], 1);
  EXPECT_EQ(first["prev"], AuditLog::kGenesis);
  EXPECT_EQ(nlohmann::json::parse(all[4])["seq"], 5);
  EXPECT_EQ(nlohmann::json::parse(all[4])["prev"], sha256_hex(all[3]));
  EXPECT_TRUE(verify().ok) << verify().message;
}

TEST_F(AuditLogTest, VerifyReportsTheFirstBrokenLink) {
  write_records(5);
  auto original = lines();
  auto edited = original;
  edited[2].replace(edited[2].find("\"n\":2"), 5, "\"n\":9");
  rewrite(edited);
  EXPECT_FALSE(verify().ok);
  EXPECT_NE(verify().message.find(":4: record 4 does not chain"), std::string::npos) << verify().message;

  auto deleted = original;
  deleted.erase(deleted.begin() + 1);
  rewrite(deleted);
  EXPECT_NE(verify().message.find("record 3 where 2 was expected"), std::string::npos) << verify().message;

  auto reordered = original;
  std::swap(reordered[1], reordered[2]);
  rewrite(reordered);
  EXPECT_FALSE(verify().ok);

  auto headless = original;
  headless.erase(headless.begin());
  rewrite(headless);
  EXPECT_NE(verify().message.find("starts at record 2"), std::string::npos) << verify().message;

  rewrite(original);
  std::filesystem::resize_file(path_, std::filesystem::file_size(path_) - 10);
  EXPECT_NE(verify().message.find("incomplete final record"), std::string::npos) << verify().message;
}

TEST_F(AuditLogTest, CutsACrashTailAndStaysVerifiable) {
  write_records(3);
  std::ofstream(path_, std::ios::app) << R"({"seq":4,"prev":"abc","ev)";  // killed mid-write
  std::string notice;
  AuditOptions options;
  options.path = path_;
  auto log = AuditLog::open(options, &notice);
  ASSERT_TRUE(log.ok()) << log.error().message;
  EXPECT_NE(notice.find("incomplete final record"), std::string::npos);
  ASSERT_TRUE(log->record({{"event", "session.end"}}).ok());
  auto verdict = verify();
  EXPECT_TRUE(verdict.ok) << verdict.message;
  EXPECT_EQ(verdict.records, 4u);
}

TEST_F(AuditLogTest, RefusesToAppendToSomethingElse) {
  std::ofstream(path_) << "not an audit log\n";
  AuditOptions options;
  options.path = path_;
  EXPECT_FALSE(AuditLog::open(options, nullptr).ok());
}

TEST_F(AuditLogTest, RotatesBySizeAndTheChainSpansFiles) {
  AuditOptions options;
  options.rotate_bytes = 4096;
  options.sync = AuditSync::kBatch;
  write_records(100, options);
  ASSERT_TRUE(std::filesystem::exists(path_ + ".1"));
  std::vector<std::string> files;
  for (int i = 20; i >= 1; --i) {
    if (std::filesystem::exists(path_ + "." + std::to_string(i))) files.push_back(path_ + "." + std::to_string(i));
  }
  files.push_back(path_);
  auto verdict = verify_audit_log(files);
  EXPECT_TRUE(verdict.ok) << verdict.message;
  EXPECT_EQ(verdict.records, 100u);
  EXPECT_FALSE(verify_audit_log({path_}).ok) << "alone, the newest file misses its beginning";
  for (const auto& file : files) EXPECT_LE(std::filesystem::file_size(file), 4096u);
}

TEST_F(AuditLogTest, SignedCheckpointsCoverTheChainAndARewriteWithoutTheKeyIsCaught) {
  auto key = SigningKey::generate();
  ASSERT_TRUE(key.ok());
  std::string public_key = key->public_base64();
  AuditOptions options;
  options.checkpoint_key = std::make_shared<const SigningKey>(std::move(*key));
  options.checkpoint_every = 3;
  write_records(7, options);  // checkpoints after records 3 and 6 (as records 4 and 8)
  auto all = lines();
  ASSERT_EQ(all.size(), 9u);
  EXPECT_EQ(nlohmann::json::parse(all[3])["event"], "checkpoint");
  EXPECT_EQ(nlohmann::json::parse(all[7])["event"], "checkpoint");
  auto verdict = verify_audit_log({path_}, {public_key});
  EXPECT_TRUE(verdict.ok) << verdict.message;
  EXPECT_EQ(verdict.checkpoints, 2u);
  EXPECT_EQ(verdict.last_signed_seq, 8u);
  EXPECT_NE(verdict.message.find("1 after it are chained but not signed"), std::string::npos)
      << verdict.message;

  // Someone with write access edits record 2 and recomputes every hash after it: the chain
  // holds, but the checkpoint's signature no longer matches what it covers.
  auto forged = all;
  forged[1].replace(forged[1].find("\"n\":1"), 5, "\"n\":7");
  for (size_t i = 2; i < forged.size(); ++i) {
    auto record = nlohmann::ordered_json::parse(forged[i]);
    record["prev"] = sha256_hex(forged[i - 1]);
    forged[i] = record.dump();
  }
  rewrite(forged);
  verdict = verify_audit_log({path_}, {public_key});
  EXPECT_FALSE(verdict.ok);
  EXPECT_NE(verdict.message.find("checkpoint 4 has a signature that does not verify"),
            std::string::npos) << verdict.message;

  // ... or drops the checkpoints altogether: with the key required, that is no proof at all.
  std::vector<std::string> unsigned_lines;
  for (const auto& line : forged) {
    auto record = nlohmann::ordered_json::parse(line);
    if (record["event"] == "checkpoint") continue;
    record["seq"] = unsigned_lines.size() + 1;
    record["prev"] = unsigned_lines.empty() ? AuditLog::kGenesis : sha256_hex(unsigned_lines.back());
    unsigned_lines.push_back(record.dump());
  }
  rewrite(unsigned_lines);
  EXPECT_TRUE(verify().ok) << "the chain alone is consistent";
  verdict = verify_audit_log({path_}, {public_key});
  EXPECT_FALSE(verdict.ok);
  EXPECT_NE(verdict.message.find("no checkpoint signed by the given key"), std::string::npos);

  // A checkpoint signed by someone else's key.
  rewrite(all);
  auto other = SigningKey::generate();
  verdict = verify_audit_log({path_}, {other->public_base64()});
  EXPECT_FALSE(verdict.ok);
  EXPECT_NE(verdict.message.find("not a key given with --public-key"), std::string::npos);
}

TEST_F(AuditLogTest, ASessionEndIsFollowedByACheckpoint) {
  auto key = SigningKey::generate();
  AuditOptions options;
  options.path = path_;
  options.checkpoint_key = std::make_shared<const SigningKey>(std::move(*key));
  {
    auto log = AuditLog::open(options, nullptr);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE(log->record({{"event", "session.start"}}).ok());
    ASSERT_TRUE(log->record({{"event", "session.end"}}).ok());
  }
  auto all = lines();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(nlohmann::json::parse(all[2])["event"], "checkpoint");
  auto verdict = verify_audit_log({path_}, {options.checkpoint_key->public_base64()});
  EXPECT_TRUE(verdict.ok) << verdict.message;
  EXPECT_EQ(verdict.message.find("not a session.end"), std::string::npos) << verdict.message;
  EXPECT_EQ(verdict.message.find("not signed"), std::string::npos) << verdict.message;
}

}  // namespace
}  // namespace mcpsandbox
