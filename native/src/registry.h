// Live native resources of one environment (sm::EnvState), so its cleanup hook can release them at
// teardown. Each resource remembers its registry and leaves it when released on its own.
#pragma once
#include <functional>
#include <map>

namespace sm {

class Registry {
 public:
  using Release = std::function<void()>;
  void Add(const void* owner, Release release) { entries_[owner] = std::move(release); }
  void Remove(const void* owner) { entries_.erase(owner); }
  void ReleaseAll() {
    auto entries = std::move(entries_);
    entries_.clear();
    for (auto& entry : entries) entry.second();
  }

 private:
  std::map<const void*, Release> entries_;
};

}  // namespace sm
