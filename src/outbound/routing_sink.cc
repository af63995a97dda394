#include "outbound/routing_sink.h"

namespace cognate::outbound {

Result<void> RoutingSink::Send(const domain::OutboundMessage& message) {
  using Channel = domain::OutboundMessage::Channel;
  domain::MessageSink* target = message.channel == Channel::kEmail ? email_ : sms_;
  return target != nullptr ? target->Send(message) : fallback_.Send(message);
}

}  // namespace cognate::outbound
