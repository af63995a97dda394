#include "common/durability.h"

#include <algorithm>

namespace cognate {
namespace {
thread_local DeferredDurability* current_scope = nullptr;
}  // namespace

DeferredDurability::DeferredDurability() {
  if (current_scope == nullptr) {
    current_scope = this;
    active_ = true;
  }
}

DeferredDurability::~DeferredDurability() {
  if (active_) current_scope = nullptr;
}

bool DeferDurability(DurabilitySource& source, std::uint64_t commit) {
  DeferredDurability* scope = current_scope;
  if (scope == nullptr) return false;
  if (scope->source_ != nullptr && scope->source_ != &source) return false;
  scope->source_ = &source;
  scope->commit_ = std::max(scope->commit_, commit);
  return true;
}

}  // namespace cognate
