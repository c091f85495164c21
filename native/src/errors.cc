#include "errors.h"

#include <bpf/libbpf.h>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "env_state.h"

namespace sm {
namespace {

// libbpf calls its print function on the thread that called into it, and each environment
// (worker_thread) runs on its own thread: one log per thread keeps two loads apart.
thread_local std::string libbpfLog;
// Keep the tail: a verifier log can reach megabytes, the end says what failed.
constexpr size_t kLogLimit = 16 * 1024;

int PrintToLog(enum libbpf_print_level level, const char* format, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  // libbpf hands over a whole verifier log in one call: format it in full, or only its first
  // kilobyte survives and the reason at its end is lost.
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (n <= 0) return n;
  std::string text(static_cast<size_t>(n) + 1, '\0');
  vsnprintf(text.data(), text.size(), format, args);
  text.resize(static_cast<size_t>(n));
  libbpfLog.append(text);
  if (libbpfLog.size() > kLogLimit) libbpfLog.erase(0, libbpfLog.size() - kLogLimit);
  return n;
}

std::string ErrnoName(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOENT: return "ENOENT";
    case EINVAL: return "EINVAL";
    case ENODEV: return "ENODEV";
    case ENXIO: return "ENXIO";
    case EEXIST: return "EEXIST";
    case EBUSY: return "EBUSY";
    case ENOMEM: return "ENOMEM";
    case E2BIG: return "E2BIG";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case ESRCH: return "ESRCH";
    case EBADF: return "EBADF";
    case ENOSPC: return "ENOSPC";
    default: return "E" + std::to_string(err);
  }
}

[[noreturn]] void Throw(Napi::Env env, const std::string& code, const std::string& message, int err,
                        const std::string& log) {
  Napi::Object details = Napi::Object::New(env);
  details.Set("code", code);
  details.Set("errno", err);
  details.Set("log", log);
  EnvState* state = env.GetInstanceData<EnvState>();
  if (!state || state->errorClass.IsEmpty()) {
    Napi::Error error = Napi::Error::New(env, message);
    error.Value().Set("code", code);
    throw error;
  }
  Napi::Value instance = state->errorClass.New({Napi::String::New(env, message), details});
  throw Napi::Error(env, instance);
}

}  // namespace

void SetErrorClass(const Napi::CallbackInfo& info) {
  State(info.Env()).errorClass = Napi::Persistent(info[0].As<Napi::Function>());
}

void ClearLibbpfLog() { libbpfLog.clear(); }
std::string LibbpfLog() { return libbpfLog; }
void InstallLibbpfLogger() { libbpf_set_print(PrintToLog); }

void ThrowErrno(Napi::Env env, const std::string& operation, int err) {
  err = err < 0 ? -err : err;
  Throw(env, ErrnoName(err), operation + ": " + strerror(err), err, "");
}

void ThrowErrnoWithLog(Napi::Env env, const std::string& operation, int err) {
  err = err < 0 ? -err : err;
  Throw(env, ErrnoName(err), operation + ": " + strerror(err), err, LibbpfLog());
}

void ThrowCode(Napi::Env env, const std::string& code, const std::string& message) {
  Throw(env, code, message, 0, "");
}

}  // namespace sm
