#include "proxy/request_tracker.h"

#include <gtest/gtest.h>

#include "proxy/protocol_revision.h"

namespace mcpsandbox {
namespace {

RequestId id(const std::string& key) { return {"n:" + key, key}; }

TEST(RequestTracker, CompletesEachRequestExactlyOnce) {
  RequestTracker tracker(10);
  EXPECT_EQ(tracker.add({id("1"), "tools/call", "", {}}), RequestTracker::AddOutcome::kAdded);
  auto done = tracker.complete(id("1"));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->method, "tools/call");
  EXPECT_FALSE(tracker.complete(id("1")).has_value());
}

TEST(RequestTracker, RefusesDuplicateIdsInFlightAndBoundsTheTable) {
  RequestTracker tracker(2);
  EXPECT_EQ(tracker.add({id("1"), "a", "", {}}), RequestTracker::AddOutcome::kAdded);
  EXPECT_EQ(tracker.add({id("1"), "a", "", {}}), RequestTracker::AddOutcome::kDuplicateId);
  EXPECT_EQ(tracker.add({id("2"), "a", "", {}}), RequestTracker::AddOutcome::kAdded);
  EXPECT_EQ(tracker.add({id("3"), "a", "", {}}), RequestTracker::AddOutcome::kFull);
}

TEST(RequestTracker, OwesNoAnswerForCancelledRequests) {
  RequestTracker tracker(10);
  (void)tracker.add({id("1"), "a", "", {}});
  (void)tracker.add({id("2"), "b", "", {}});
  tracker.mark_cancelled(id("1"));
  auto owed = tracker.take_unanswered();
  ASSERT_EQ(owed.size(), 1u);
  EXPECT_EQ(owed[0].method, "b");
  EXPECT_EQ(tracker.size(), 0u);
}

TEST(RequestTracker, CountsWhatIsStillAwaitedApartFromWhatWasCancelled) {
  RequestTracker tracker(10);
  (void)tracker.add({id("1"), "a", "", {}});
  (void)tracker.add({id("2"), "b", "", {}});
  EXPECT_EQ(tracker.active(), 2u);
  tracker.mark_cancelled(id("1"));
  tracker.mark_cancelled(id("1"));  // twice is once
  tracker.mark_cancelled(id("9"));  // unknown: nothing
  EXPECT_EQ(tracker.active(), 1u);
  EXPECT_EQ(tracker.size(), 2u);
  (void)tracker.complete(id("1"));  // the late answer to the cancelled one
  EXPECT_EQ(tracker.active(), 1u);
  (void)tracker.complete(id("2"));
  EXPECT_EQ(tracker.active(), 0u);
  (void)tracker.add({id("3"), "c", "", {}});
  tracker.mark_cancelled(id("3"));
  (void)tracker.take_all();
  EXPECT_EQ(tracker.active(), 0u);
}

TEST(ProtocolRevision, TakesMetaVersionOverNegotiatedOne) {
  ProtocolRevision revision;
  MessageInfo init;
  init.method = "initialize";
  init.params_protocol_version = "2025-06-18";
  EXPECT_EQ(revision.of_client_message(init), "2025-06-18");
  MessageInfo result;
  result.result_protocol_version = "2025-06-18";
  revision.on_initialize_result(result);

  MessageInfo legacy;
  legacy.method = "tools/list";
  EXPECT_EQ(revision.of_client_message(legacy), "2025-06-18");
  EXPECT_FALSE(is_stateless_revision(revision.of_client_message(legacy)));

  MessageInfo stateless;
  stateless.method = "tools/list";
  stateless.meta_protocol_version = "2026-07-28";
  EXPECT_EQ(revision.of_client_message(stateless), "2026-07-28");
  EXPECT_TRUE(is_stateless_revision(revision.of_client_message(stateless)));
}

}  // namespace
}  // namespace mcpsandbox
