// A map with a size bound that forgets the least recently touched key
// first: the rbac actor's token cache and failed-login tables.
#pragma once

#include <cstddef>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

namespace tasks {

/// String keys to values, at most `capacity` of them.
template <class V> class lru_map {
public:
  explicit lru_map(size_t capacity = 10000)
      : capacity_(capacity == 0 ? 1 : capacity) {
    // nop
  }

  /// The value under `key` without touching it, or null.
  V* find(const std::string& key) {
    auto i = slots_.find(key);
    return i == slots_.end() ? nullptr : &i->second.value;
  }

  /// The value under `key` without touching it, or null.
  const V* find(const std::string& key) const {
    auto i = slots_.find(key);
    return i == slots_.end() ? nullptr : &i->second.value;
  }

  /// The value under `key`, inserted (evicting the least recently touched
  /// key when full) when absent; marks it as the most recently touched.
  V& touch(const std::string& key) {
    auto i = slots_.find(key);
    if (i != slots_.end()) {
      order_.splice(order_.end(), order_, i->second.pos);
      return i->second.value;
    }
    if (slots_.size() >= capacity_) {
      slots_.erase(order_.front());
      order_.pop_front();
    }
    auto pos = order_.insert(order_.end(), key);
    return slots_.emplace(key, slot{V{}, pos}).first->second.value;
  }

  /// Drops `key` if present.
  void erase(const std::string& key) {
    auto i = slots_.find(key);
    if (i == slots_.end())
      return;
    order_.erase(i->second.pos);
    slots_.erase(i);
  }

  /// Drops every entry whose value matches `pred`.
  template <class Predicate> void erase_if(Predicate pred) {
    for (auto i = slots_.begin(); i != slots_.end();) {
      if (pred(std::as_const(i->second.value))) {
        order_.erase(i->second.pos);
        i = slots_.erase(i);
      } else {
        ++i;
      }
    }
  }

  size_t size() const { return slots_.size(); }

private:
  using order_list = std::list<std::string>;

  struct slot {
    V value;
    typename order_list::iterator pos;
  };

  size_t capacity_;
  /// Least recently touched first.
  order_list order_;
  std::unordered_map<std::string, slot> slots_;
};

} // namespace tasks
