// Every failure leaves the addon as one JS class (registered from TS with setErrorClass), carrying
// the operation, errno name and libbpf's log when there is one. Messages are composed in TS.
#pragma once
#include <napi.h>
#include <string>

namespace sm {

void SetErrorClass(const Napi::CallbackInfo& info);
[[noreturn]] void ThrowErrno(Napi::Env env, const std::string& operation, int err);
[[noreturn]] void ThrowCode(Napi::Env env, const std::string& code, const std::string& message);
/** libbpf's print callback writes here; load() clears it and attaches it to its error. */
void ClearLibbpfLog();
std::string LibbpfLog();
void InstallLibbpfLogger();
[[noreturn]] void ThrowErrnoWithLog(Napi::Env env, const std::string& operation, int err);

}  // namespace sm
