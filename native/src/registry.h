// Live native resources, so the env cleanup hook can release them at exit (links first: a clsact
// filter outlives the process unless it is removed here).
#pragma once
#include <functional>
#include <map>

namespace sm {

class Registry {
 public:
  using Release = std::function<void()>;
  // Never destroyed: the atexit release may run after function-local statics are gone.
  static Registry& Links() { static Registry* r = new Registry; return *r; }
  static Registry& Others() { static Registry* r = new Registry; return *r; }
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
