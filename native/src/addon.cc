// Module entry: the generic libbpf surface documented in native/README.md. Native lifetime is tied
// to the env: at teardown every link is detached (clsact filters would otherwise outlive us), then
// ring buffers, watchers and objects are freed. process.exit() skips env cleanup hooks on the main
// thread (it calls exit() directly), so the same release also runs from atexit.
#include <napi.h>

#include <cstdlib>

#include "bpf_link.h"
#include "bpf_object.h"
#include "errors.h"
#include "link_watcher.h"
#include "registry.h"
#include "ring_buffer.h"

namespace {

void Cleanup() {
  sm::Registry::Links().ReleaseAll();
  sm::Registry::Others().ReleaseAll();
}

// At exit() only the kernel-visible state matters: detach links (clsact filters). Ring buffers and
// watchers hold libuv handles whose loop may already be gone; the kernel frees the rest with the fds.
void ReleaseLinksAtExit() { sm::Registry::Links().ReleaseAll(); }

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  sm::SetErrorClass(info);
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  sm::InstallLibbpfLogger();
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
  env.AddCleanupHook(Cleanup);
  static bool atexitInstalled = false;
  if (!atexitInstalled) atexitInstalled = std::atexit(ReleaseLinksAtExit) == 0;
  return exports;
}

}  // namespace

NODE_API_MODULE(snitchmap, Init)
