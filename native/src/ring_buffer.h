// A libbpf ring buffer on the main loop: one JS callback per wakeup with every record drained,
// packed as [u32 length][u32 0][record][pad to 8].
#pragma once
#include <napi.h>
#include <bpf/libbpf.h>

#include "fd_poller.h"
#include "registry.h"

namespace sm {

class RingBuffer : public Napi::ObjectWrap<RingBuffer>, public FdPoller {
 public:
  static Napi::Function Init(Napi::Env env);
  static Napi::Value Open(const Napi::CallbackInfo& info);
  explicit RingBuffer(const Napi::CallbackInfo& info);
  ~RingBuffer() override;
  void Release();

 protected:
  int Drain(std::vector<uint8_t>& out) override;

 private:
  static int OnSample(void* context, void* data, size_t size);
  Napi::Value Consume(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  Napi::Value GetFailures(const Napi::CallbackInfo& info);
  ring_buffer* ring_ = nullptr;
  Registry* registry_ = nullptr;
  std::vector<uint8_t>* sink_ = nullptr;
};

}  // namespace sm
