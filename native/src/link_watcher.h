// rtnetlink RTMGRP_LINK socket on the main loop: delivers raw RTM_NEWLINK/RTM_DELLINK message batches
// (decoded in native/flows-netlink.ts).
#pragma once
#include <napi.h>

#include "fd_poller.h"
#include "registry.h"

namespace sm {

class LinkWatcher : public Napi::ObjectWrap<LinkWatcher>, public FdPoller {
 public:
  static Napi::Function Init(Napi::Env env);
  static Napi::Value Open(const Napi::CallbackInfo& info);
  explicit LinkWatcher(const Napi::CallbackInfo& info);
  ~LinkWatcher() override;
  void Release();

 protected:
  int Drain(std::vector<uint8_t>& out) override;

 private:
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value GetFailures(const Napi::CallbackInfo& info);
  int fd_ = -1;
  Registry* registry_ = nullptr;
};

}  // namespace sm
