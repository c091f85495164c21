// Everything the addon keeps per Node environment (the main thread, each worker_thread): the
// classes' constructors, the error class registered from TS and the live native resources. Held as
// napi instance data, never in statics, so two environments never share a constructor (a
// FunctionReference of one isolate used in another crashes) or release each other's links.
#pragma once
#include <napi.h>

#include "registry.h"

namespace sm {

struct EnvState {
  Napi::FunctionReference bpfObject;
  Napi::FunctionReference link;
  Napi::FunctionReference ringBuffer;
  Napi::FunctionReference linkWatcher;
  /** setErrorClass(NativeError); empty until then (errors are then plain Errors with a code). */
  Napi::FunctionReference errorClass;
  /** Links first at teardown: a clsact filter outlives the process unless it is removed. */
  Registry links;
  Registry others;
};

/** This environment's state (created by the module's Init). */
inline EnvState& State(Napi::Env env) { return *env.GetInstanceData<EnvState>(); }

}  // namespace sm
