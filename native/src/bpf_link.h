// A handle on one attachment: a libbpf link, a raw link fd (tcx via bpf_link_create), or a clsact
// cls_bpf filter identified by (ifindex, direction, handle, priority).
#pragma once
#include <napi.h>
#include <bpf/libbpf.h>
#include <string>

#include "registry.h"

namespace sm {

class Link : public Napi::ObjectWrap<Link> {
 public:
  enum class Kind { Libbpf, Fd, Clsact };
  static Napi::Function Init(Napi::Env env);
  static Napi::Object FromLibbpf(Napi::Env env, bpf_link* link, const std::string& description);
  static Napi::Object FromFd(Napi::Env env, int fd, const std::string& description);
  static Napi::Object FromClsact(Napi::Env env, int ifindex, int direction, unsigned handle, unsigned priority,
                                 const std::string& description);
  explicit Link(const Napi::CallbackInfo& info);
  ~Link() override;
  void Release();

 private:
  static Napi::Object Create(Napi::Env env);
  void Register(Napi::Env env);
  Napi::Value Detach(const Napi::CallbackInfo& info);
  Napi::Value Describe(const Napi::CallbackInfo& info);
  Kind kind_ = Kind::Fd;
  bpf_link* link_ = nullptr;
  int fd_ = -1;
  int ifindex_ = 0, direction_ = 0;
  unsigned handle_ = 0, priority_ = 0;
  bool attached_ = false;
  std::string description_;
  Registry* registry_ = nullptr;
};

/** clsact helpers exposed as module functions (stale-filter cleanup decides in TS what is ours). */
Napi::Value DetachClsact(const Napi::CallbackInfo& info);
Napi::Value QueryClsact(const Napi::CallbackInfo& info);
Napi::Value QueryTcx(const Napi::CallbackInfo& info);
int ClsactAttachPoint(Napi::Env env, const Napi::Value& direction);

}  // namespace sm
