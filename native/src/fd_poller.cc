#include "fd_poller.h"

#include "errors.h"

namespace sm {

FdPoller::~FdPoller() { Stop(); }

void FdPoller::Start(Napi::Env env, int fd, Napi::Function callback) {
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) ThrowCode(env, "EINVAL", "no event loop");
  poll_ = new uv_poll_t;
  int err = uv_poll_init(loop, poll_, fd);
  if (err) {
    delete poll_;
    poll_ = nullptr;
    ThrowErrno(env, "uv_poll_init", -err);
  }
  poll_->data = this;
  callback_ = Napi::Persistent(callback);
  env_ = env;
  uv_poll_start(poll_, UV_READABLE, OnReadable);
}

void FdPoller::Stop() {
  if (!poll_) return;
  uv_poll_stop(poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
  poll_ = nullptr;
  callback_.Reset();
}

void FdPoller::OnReadable(uv_poll_t* handle, int status, int events) {
  FdPoller* self = static_cast<FdPoller*>(handle->data);
  // libuv reports a failed epoll wait as a negative status; the fd may still hold data: drain anyway.
  if (status < 0) self->CountFailure(-status);
  Napi::Env env(self->env_);
  Napi::HandleScope scope(env);
  self->Deliver(env);
}

void FdPoller::CountFailure(int err) {
  failures_++;
  lastErrno_ = err;
}

Napi::Value FdPoller::Failures(Napi::Env env) const {
  Napi::Object out = Napi::Object::New(env);
  out.Set("count", failures_);
  out.Set("errno", lastErrno_);
  return out;
}

void FdPoller::Deliver(Napi::Env env) {
  if (!poll_) return;
  pending_.clear();
  int err = Drain(pending_);
  if (err) CountFailure(err);
  if (pending_.empty()) return;
  Napi::Buffer<uint8_t> batch = Napi::Buffer<uint8_t>::Copy(env, pending_.data(), pending_.size());
  try {
    callback_.MakeCallback(env.Global(), {batch});
  } catch (const Napi::Error& error) {
    napi_fatal_exception(env, error.Value());
  }
}

}  // namespace sm
