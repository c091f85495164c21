#include "ring_buffer.h"

#include <cerrno>
#include <cstring>
#include <new>

#include "env_state.h"
#include "errors.h"

namespace sm {

Napi::Function RingBuffer::Init(Napi::Env env) {
  Napi::Function func = DefineClass(
      env, "RingBuffer", {InstanceMethod("consume", &RingBuffer::Consume), InstanceMethod("failures", &RingBuffer::GetFailures),
                       InstanceMethod("close", &RingBuffer::Close)});
  State(env).ringBuffer = Napi::Persistent(func);
  return func;
}

// openRingBuffer(mapFd, callback(batch: Buffer))
Napi::Value RingBuffer::Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int mapFd = info[0].As<Napi::Number>().Int32Value();
  Napi::Object wrapper = State(env).ringBuffer.New({});
  RingBuffer* self = Unwrap(wrapper);
  self->ring_ = ring_buffer__new(mapFd, OnSample, self, nullptr);
  if (!self->ring_) ThrowErrno(env, "ring_buffer__new", errno);
  self->Start(env, ring_buffer__epoll_fd(self->ring_), info[1].As<Napi::Function>());
  self->Ref();  // alive while polling, even if JS drops it; close() releases
  self->registry_ = &State(env).others;
  self->registry_->Add(self, [self] { self->Release(); });
  return wrapper;
}

RingBuffer::RingBuffer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<RingBuffer>(info) {}
RingBuffer::~RingBuffer() { Release(); }

void RingBuffer::Release() {
  if (!ring_) return;
  if (registry_) registry_->Remove(this);
  Stop();
  ring_buffer__free(ring_);
  ring_ = nullptr;
}

// An exception must not unwind through libbpf's C frames: a failed copy is returned as -ENOMEM,
// which stops ring_buffer__consume (libbpf has already moved past that record: it is lost, and
// counted as a failed drain).
int RingBuffer::OnSample(void* context, void* data, size_t size) {
  std::vector<uint8_t>& out = *static_cast<RingBuffer*>(context)->sink_;
  uint32_t header[2] = {static_cast<uint32_t>(size), 0};
  size_t start = out.size();
  try {
    out.resize(start + sizeof header + ((size + 7) & ~size_t(7)), 0);
  } catch (const std::bad_alloc&) {
    return -ENOMEM;
  }
  memcpy(out.data() + start, header, sizeof header);
  memcpy(out.data() + start + sizeof header, data, size);
  return 0;
}

int RingBuffer::Drain(std::vector<uint8_t>& out) {
  sink_ = &out;
  int n = ring_buffer__consume(ring_);
  sink_ = nullptr;
  return n < 0 ? -n : 0;
}

Napi::Value RingBuffer::GetFailures(const Napi::CallbackInfo& info) { return Failures(info.Env()); }

Napi::Value RingBuffer::Consume(const Napi::CallbackInfo& info) {
  if (ring_) Deliver(info.Env());
  return info.Env().Undefined();
}

Napi::Value RingBuffer::Close(const Napi::CallbackInfo& info) {
  if (ring_) {
    Release();
    Unref();
  }
  return info.Env().Undefined();
}

}  // namespace sm
