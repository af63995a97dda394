#include "outbound/routing_sink.h"

#include <gtest/gtest.h>

namespace cognate::outbound {
namespace {

using domain::OutboundMessage;
using domain::RecordingMessageSink;

OutboundMessage Message(OutboundMessage::Channel channel) {
  OutboundMessage m;
  m.channel = channel;
  m.destination = channel == OutboundMessage::Channel::kEmail ? "a@b.c" : "+15555550100";
  m.body = "code";
  return m;
}

class FailingSink final : public domain::MessageSink {
 public:
  Result<void> Send(const OutboundMessage&) override {
    return ApiError(ErrorCode::kCodeDeliveryFailure, "nope");
  }
};

TEST(RoutingSinkTest, EverythingGoesToTheOutboxByDefault) {
  RecordingMessageSink outbox;
  RoutingSink routing(outbox, nullptr, nullptr);
  ASSERT_TRUE(routing.Send(Message(OutboundMessage::Channel::kEmail)));
  ASSERT_TRUE(routing.Send(Message(OutboundMessage::Channel::kSms)));
  EXPECT_EQ(outbox.Sent().size(), 2u);
}

TEST(RoutingSinkTest, EachChannelToItsSink) {
  RecordingMessageSink outbox, email, sms;
  RoutingSink routing(outbox, &email, &sms);
  ASSERT_TRUE(routing.Send(Message(OutboundMessage::Channel::kEmail)));
  ASSERT_TRUE(routing.Send(Message(OutboundMessage::Channel::kSms)));
  ASSERT_TRUE(routing.Send(Message(OutboundMessage::Channel::kSms)));
  EXPECT_EQ(outbox.Sent().size(), 0u);
  EXPECT_EQ(email.Sent().size(), 1u);
  EXPECT_EQ(sms.Sent().size(), 2u);
}

TEST(RoutingSinkTest, OnlyEmailConfigured) {
  RecordingMessageSink outbox, email;
  RoutingSink routing(outbox, &email, nullptr);
  ASSERT_TRUE(routing.Send(Message(OutboundMessage::Channel::kSms)));
  ASSERT_TRUE(routing.Send(Message(OutboundMessage::Channel::kEmail)));
  EXPECT_EQ(outbox.Sent().size(), 1u);
  EXPECT_EQ(outbox.Sent()[0].channel, OutboundMessage::Channel::kSms);
  EXPECT_EQ(email.Sent().size(), 1u);
}

TEST(RoutingSinkTest, FailuresAreReturnedNotRerouted) {
  RecordingMessageSink outbox;
  FailingSink smtp;
  RoutingSink routing(outbox, &smtp, nullptr);
  auto r = routing.Send(Message(OutboundMessage::Channel::kEmail));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type_name(), "CodeDeliveryFailureException");
  EXPECT_TRUE(outbox.Sent().empty());
}

}  // namespace
}  // namespace cognate::outbound
