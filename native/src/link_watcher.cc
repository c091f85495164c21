#include "link_watcher.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>

#include "env_state.h"
#include "errors.h"

namespace sm {

Napi::Function LinkWatcher::Init(Napi::Env env) {
  Napi::Function func = DefineClass(env, "LinkWatcher", {InstanceMethod("failures", &LinkWatcher::GetFailures),
                                                         InstanceMethod("close", &LinkWatcher::Close)});
  State(env).linkWatcher = Napi::Persistent(func);
  return func;
}

// watchLinks(callback(batch: Buffer))
Napi::Value LinkWatcher::Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (fd < 0) ThrowErrno(env, "netlink socket", errno);
  sockaddr_nl address = {};
  address.nl_family = AF_NETLINK;
  address.nl_groups = RTMGRP_LINK;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address)) {
    int err = errno;
    close(fd);
    ThrowErrno(env, "netlink bind", err);
  }
  Napi::Object wrapper = State(env).linkWatcher.New({});
  LinkWatcher* self = Unwrap(wrapper);
  self->fd_ = fd;
  self->Start(env, fd, info[0].As<Napi::Function>());
  self->Ref();
  self->registry_ = &State(env).others;
  self->registry_->Add(self, [self] { self->Release(); });
  return wrapper;
}

LinkWatcher::LinkWatcher(const Napi::CallbackInfo& info) : Napi::ObjectWrap<LinkWatcher>(info) {}
LinkWatcher::~LinkWatcher() { Release(); }

void LinkWatcher::Release() {
  if (fd_ < 0) return;
  if (registry_) registry_->Remove(this);
  Stop();
  close(fd_);
  fd_ = -1;
}

// ENOBUFS means the kernel dropped link events; TS rescans the interface list when told so by an
// empty-message marker (a bare 16-byte nlmsghdr with type NLMSG_OVERRUN).
int LinkWatcher::Drain(std::vector<uint8_t>& out) {
  uint8_t buffer[32768];
  for (;;) {
    ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) {
      out.insert(out.end(), buffer, buffer + n);
      continue;
    }
    if (n < 0 && errno == ENOBUFS) {
      nlmsghdr overrun = {};
      overrun.nlmsg_len = sizeof overrun;
      overrun.nlmsg_type = NLMSG_OVERRUN;
      const uint8_t* raw = reinterpret_cast<const uint8_t*>(&overrun);
      out.insert(out.end(), raw, raw + sizeof overrun);
      continue;
    }
    if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
    return errno;
  }
}

Napi::Value LinkWatcher::GetFailures(const Napi::CallbackInfo& info) { return Failures(info.Env()); }

Napi::Value LinkWatcher::Close(const Napi::CallbackInfo& info) {
  if (fd_ >= 0) {
    Release();
    Unref();
  }
  return info.Env().Undefined();
}

}  // namespace sm
