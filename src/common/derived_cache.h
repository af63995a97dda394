#pragma once
// A small cache of values derived from stored rows (a parsed document, a client's settings),
// for rows that are read on every request but rarely change.
//
// Each entry remembers the `stamp` it was derived from: the row's text, or its version and
// modification time. The caller still reads the row from the store on every use, so a change
// made by any node is seen at once; only the derivation (typically a JSON parse) is skipped
// while the stamp is unchanged. Bounded: cleared when it grows past `max_entries`.
// Thread-safe.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace cognate {

template <class T>
class DerivedCache {
 public:
  explicit DerivedCache(std::size_t max_entries = 1024) : max_entries_(max_entries) {}

  // The value derived for `key` from `stamp`, or null when there is none (or the stamp moved).
  std::shared_ptr<const T> Find(const std::string& key, std::string_view stamp) const {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.stamp != stamp) return nullptr;
    return it->second.value;
  }

  // Remembers `value` as derived for `key` from `stamp`; returns it.
  std::shared_ptr<const T> Put(const std::string& key, std::string stamp, T value) {
    auto shared = std::make_shared<const T>(std::move(value));
    std::lock_guard lock(mu_);
    if (entries_.size() >= max_entries_ && !entries_.contains(key)) entries_.clear();
    entries_[key] = Entry{std::move(stamp), shared};
    return shared;
  }

 private:
  struct Entry {
    std::string stamp;
    std::shared_ptr<const T> value;
  };
  const std::size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace cognate
