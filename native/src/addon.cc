// Module entry: the generic libbpf surface documented in native/README.md. Init runs once per Node
// environment (the main thread and each worker_thread) and gives it its own sm::EnvState as napi
// instance data: constructors, error class, registries. Native lifetime is tied to the environment:
// at its teardown every link is detached (clsact filters would otherwise outlive us), then ring
// buffers, watchers and objects are freed. process.exit() skips env cleanup hooks on the main thread
// (it calls exit() directly), so the links of every live environment are also released from atexit.
#include <napi.h>

#include <cstdlib>
#include <mutex>
#include <set>

#include "bpf_link.h"
#include "bpf_object.h"
#include "env_state.h"
#include "errors.h"
#include "link_watcher.h"
#include "ring_buffer.h"

namespace {

// The one process-wide list: which environments are alive, for the atexit release. Never destroyed:
// atexit handlers may run after function-local statics are gone.
std::mutex& LiveMutex() {
  static std::mutex* mutex = new std::mutex;
  return *mutex;
}
std::set<sm::EnvState*>& Live() {
  static std::set<sm::EnvState*>* live = new std::set<sm::EnvState*>;
  return *live;
}

// At exit() only the kernel-visible state matters: detach links (clsact filters). Ring buffers and
// watchers hold libuv handles whose loop may already be gone; the kernel frees the rest with the fds.
void ReleaseLinksAtExit() {
  std::lock_guard<std::mutex> lock(LiveMutex());
  for (sm::EnvState* state : Live()) state->links.ReleaseAll();
}

// The state is freed by the cleanup hook, which runs while the environment can still release
// references; the instance-data finalizer (later, order not ours to choose) has nothing left to do.
void KeepState(Napi::Env, sm::EnvState*) {}

void Teardown(sm::EnvState* state) {
  {
    std::lock_guard<std::mutex> lock(LiveMutex());
    Live().erase(state);
  }
  state->links.ReleaseAll();
  state->others.ReleaseAll();
  delete state;
}

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  sm::SetErrorClass(info);
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  sm::InstallLibbpfLogger();
  auto* state = new sm::EnvState;
  env.SetInstanceData<sm::EnvState, KeepState>(state);
  {
    std::lock_guard<std::mutex> lock(LiveMutex());
    Live().insert(state);
  }
  env.AddCleanupHook(Teardown, state);
  static std::once_flag atexitOnce;
  std::call_once(atexitOnce, [] { std::atexit(ReleaseLinksAtExit); });
  exports.Set("BpfObject", sm::BpfObject::Init(env));
  exports.Set("Link", sm::Link::Init(env));
  exports.Set("RingBuffer", sm::RingBuffer::Init(env));
  exports.Set("LinkWatcher", sm::LinkWatcher::Init(env));
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass));
  exports.Set("embeddedObjects", Napi::Function::New(env, sm::BpfObject::EmbeddedNames));
  exports.Set("openObject", Napi::Function::New(env, sm::BpfObject::Open));
  exports.Set("openRingBuffer", Napi::Function::New(env, sm::RingBuffer::Open));
  exports.Set("watchLinks", Napi::Function::New(env, sm::LinkWatcher::Open));
  exports.Set("detachClsact", Napi::Function::New(env, sm::DetachClsact));
  exports.Set("queryClsact", Napi::Function::New(env, sm::QueryClsact));
  exports.Set("queryTcx", Napi::Function::New(env, sm::QueryTcx));
  return exports;
}

}  // namespace

NODE_API_MODULE(snitchmap, Init)
