// One embedded BPF object: configure (autoload, map sizes, shared maps, globals) → load → attach,
// plus the map and program operations TS needs. Thin: every decision is made in native/*.ts.
#pragma once
#include <napi.h>
#include <bpf/libbpf.h>
#include <string>

#include "registry.h"

namespace sm {

class BpfObject : public Napi::ObjectWrap<BpfObject> {
 public:
  static Napi::Function Init(Napi::Env env);
  static Napi::Value Open(const Napi::CallbackInfo& info);
  static Napi::Value EmbeddedNames(const Napi::CallbackInfo& info);
  explicit BpfObject(const Napi::CallbackInfo& info);
  ~BpfObject() override;
  void Release();

 private:
  bpf_program* Program(Napi::Env env, const Napi::Value& name);
  bpf_map* Map(Napi::Env env, const Napi::Value& name);
  void RequireLoaded(Napi::Env env, bool loaded);
  Napi::Value Programs(const Napi::CallbackInfo& info);
  Napi::Value Maps(const Napi::CallbackInfo& info);
  Napi::Value SetAutoload(const Napi::CallbackInfo& info);
  Napi::Value SetMapMaxEntries(const Napi::CallbackInfo& info);
  Napi::Value ReuseMapFd(const Napi::CallbackInfo& info);
  Napi::Value SetGlobal(const Napi::CallbackInfo& info);
  Napi::Value Load(const Napi::CallbackInfo& info);
  Napi::Value MapFd(const Napi::CallbackInfo& info);
  Napi::Value ProgramFd(const Napi::CallbackInfo& info);
  Napi::Value ProgramId(const Napi::CallbackInfo& info);
  Napi::Value AttachTcx(const Napi::CallbackInfo& info);
  Napi::Value AttachClsact(const Napi::CallbackInfo& info);
  Napi::Value AttachCgroup(const Napi::CallbackInfo& info);
  Napi::Value AttachAuto(const Napi::CallbackInfo& info);
  Napi::Value LookupBatch(const Napi::CallbackInfo& info);
  Napi::Value LookupKeys(const Napi::CallbackInfo& info);
  Napi::Value UpdateElem(const Napi::CallbackInfo& info);
  Napi::Value DeleteKeys(const Napi::CallbackInfo& info);
  Napi::Value ReadPerCpuArray(const Napi::CallbackInfo& info);
  Napi::Value RunIterator(const Napi::CallbackInfo& info);
  Napi::Value TestRun(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  bpf_object* object_ = nullptr;
  bool loaded_ = false;
  std::string name_;
  Registry* registry_ = nullptr;
};

}  // namespace sm
