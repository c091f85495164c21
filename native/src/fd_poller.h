// Watches one fd on the Node main loop (uv_poll_t) and hands each wakeup's bytes to one JS
// callback as one Buffer. Subclasses say how to drain the fd; JS decodes.
#pragma once
#include <napi.h>
#include <uv.h>
#include <vector>

namespace sm {

class FdPoller {
 public:
  virtual ~FdPoller();
  /** Drains and delivers now (also used for the periodic poll that collects unwoken records). */
  void Deliver(Napi::Env env);
  void Stop();

 protected:
  void Start(Napi::Env env, int fd, Napi::Function callback);
  /** Appends everything readable to out; returns false on a fatal error. */
  virtual bool Drain(std::vector<uint8_t>& out) = 0;

 private:
  static void OnReadable(uv_poll_t* handle, int status, int events);
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference callback_;
  napi_env env_ = nullptr;
  std::vector<uint8_t> pending_;
};

}  // namespace sm
