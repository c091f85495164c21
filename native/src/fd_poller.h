// Watches one fd on the Node main loop (uv_poll_t) and hands each wakeup's bytes to one JS
// callback as one Buffer. Subclasses say how to drain the fd; JS decodes. A drain that fails (or a
// poll error) is never silent: it is counted with its errno, read from JS through failures(), and
// whatever was drained before the failure is still delivered.
#pragma once
#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <vector>

namespace sm {

class FdPoller {
 public:
  virtual ~FdPoller();
  /** Drains and delivers now (also used for the periodic poll that collects unwoken records). */
  void Deliver(Napi::Env env);
  void Stop();
  /** { count, errno }: failed drains and poll errors so far, and the errno of the last one. */
  Napi::Value Failures(Napi::Env env) const;

 protected:
  void Start(Napi::Env env, int fd, Napi::Function callback);
  /** Appends everything readable to out; returns 0, or the errno of a failure. */
  virtual int Drain(std::vector<uint8_t>& out) = 0;

 private:
  static void OnReadable(uv_poll_t* handle, int status, int events);
  void CountFailure(int err);
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference callback_;
  napi_env env_ = nullptr;
  std::vector<uint8_t> pending_;
  double failures_ = 0;
  int lastErrno_ = 0;
};

}  // namespace sm
