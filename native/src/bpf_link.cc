#include "bpf_link.h"

#include <bpf/bpf.h>
#include <unistd.h>
#include <cerrno>

#include "env_state.h"
#include "errors.h"

namespace sm {

Napi::Function Link::Init(Napi::Env env) {
  Napi::Function func = DefineClass(env, "Link",
                                    {InstanceMethod("detach", &Link::Detach), InstanceMethod("describe", &Link::Describe)});
  State(env).link = Napi::Persistent(func);
  return func;
}

Link::Link(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Link>(info) {}

Link::~Link() { Release(); }

Napi::Object Link::Create(Napi::Env env) { return State(env).link.New({}); }

void Link::Register(Napi::Env env) {
  registry_ = &State(env).links;
  registry_->Add(this, [this] { Release(); });
}

Napi::Object Link::FromLibbpf(Napi::Env env, bpf_link* link, const std::string& description) {
  Napi::Object object = Create(env);
  Link* self = Unwrap(object);
  self->kind_ = Kind::Libbpf;
  self->link_ = link;
  self->attached_ = true;
  self->description_ = description;
  self->Register(env);
  return object;
}

Napi::Object Link::FromFd(Napi::Env env, int fd, const std::string& description) {
  Napi::Object object = Create(env);
  Link* self = Unwrap(object);
  self->kind_ = Kind::Fd;
  self->fd_ = fd;
  self->attached_ = true;
  self->description_ = description;
  self->Register(env);
  return object;
}

Napi::Object Link::FromClsact(Napi::Env env, int ifindex, int direction, unsigned handle, unsigned priority,
                              const std::string& description) {
  Napi::Object object = Create(env);
  Link* self = Unwrap(object);
  self->kind_ = Kind::Clsact;
  self->ifindex_ = ifindex;
  self->direction_ = direction;
  self->handle_ = handle;
  self->priority_ = priority;
  self->attached_ = true;
  self->description_ = description;
  self->Register(env);
  return object;
}

void Link::Release() {
  if (!attached_) return;
  attached_ = false;
  if (registry_) registry_->Remove(this);
  switch (kind_) {
    case Kind::Libbpf:
      bpf_link__destroy(link_);
      link_ = nullptr;
      break;
    case Kind::Fd:
      close(fd_);
      fd_ = -1;
      break;
    case Kind::Clsact: {
      LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex_, .attach_point = static_cast<bpf_tc_attach_point>(direction_));
      LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle_, .priority = priority_);
      bpf_tc_detach(&hook, &opts);  // ENOENT/ENODEV: the filter or interface is already gone
      break;
    }
  }
}

Napi::Value Link::Detach(const Napi::CallbackInfo& info) {
  Release();
  return info.Env().Undefined();
}

Napi::Value Link::Describe(const Napi::CallbackInfo& info) {
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("description", description_);
  out.Set("attached", attached_);
  return out;
}

int ClsactAttachPoint(Napi::Env env, const Napi::Value& direction) {
  std::string value = direction.As<Napi::String>();
  if (value == "ingress") return BPF_TC_INGRESS;
  if (value == "egress") return BPF_TC_EGRESS;
  ThrowCode(env, "EINVAL", "direction must be 'ingress' or 'egress'");
}

// detachClsact(ifindex, dir, handle, priority) -> true if removed, false if there was none.
Napi::Value DetachClsact(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = info[0].As<Napi::Number>().Int32Value(),
              .attach_point = static_cast<bpf_tc_attach_point>(ClsactAttachPoint(env, info[1])));
  LIBBPF_OPTS(bpf_tc_opts, opts, .handle = info[2].As<Napi::Number>().Uint32Value(),
              .priority = info[3].As<Napi::Number>().Uint32Value());
  int err = bpf_tc_detach(&hook, &opts);
  if (err == -ENOENT || err == -EINVAL) return Napi::Boolean::New(env, false);
  if (err) ThrowErrno(env, "bpf_tc_detach", err);
  return Napi::Boolean::New(env, true);
}

// queryClsact(ifindex, dir, handle, priority) -> { progId, name } | null
Napi::Value QueryClsact(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = info[0].As<Napi::Number>().Int32Value(),
              .attach_point = static_cast<bpf_tc_attach_point>(ClsactAttachPoint(env, info[1])));
  LIBBPF_OPTS(bpf_tc_opts, opts, .handle = info[2].As<Napi::Number>().Uint32Value(),
              .priority = info[3].As<Napi::Number>().Uint32Value());
  int err = bpf_tc_query(&hook, &opts);
  if (err == -ENOENT || err == -EINVAL) return env.Null();
  if (err) ThrowErrno(env, "bpf_tc_query", err);
  Napi::Object out = Napi::Object::New(env);
  out.Set("progId", opts.prog_id);
  std::string name;
  int fd = bpf_prog_get_fd_by_id(opts.prog_id);
  if (fd >= 0) {
    bpf_prog_info progInfo = {};
    __u32 length = sizeof progInfo;
    if (bpf_obj_get_info_by_fd(fd, &progInfo, &length) == 0) name = progInfo.name;
    close(fd);
  }
  out.Set("name", name);
  return out;
}

// queryTcx(ifindex, dir) -> [{ progId, name }]: programs attached by tcx (BPF_PROG_QUERY on the
// ifindex with attach type 46/47), since bpftool 7.1's `net` view predates tcx.
Napi::Value QueryTcx(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int ifindex = info[0].As<Napi::Number>().Int32Value();
  std::string direction = info[1].As<Napi::String>();
  __u32 ids[64];
  __u32 count = 64;
  __u32 flags = 0;
  if (bpf_prog_query(ifindex, static_cast<bpf_attach_type>(direction == "ingress" ? 46 : 47), 0, &flags, ids, &count))
    ThrowErrno(env, "BPF_PROG_QUERY (tcx)", errno);
  Napi::Array out = Napi::Array::New(env, count);
  for (__u32 i = 0; i < count; i++) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("progId", ids[i]);
    std::string name;
    int fd = bpf_prog_get_fd_by_id(ids[i]);
    if (fd >= 0) {
      bpf_prog_info progInfo = {};
      __u32 length = sizeof progInfo;
      if (bpf_obj_get_info_by_fd(fd, &progInfo, &length) == 0) name = progInfo.name;
      close(fd);
    }
    entry.Set("name", name);
    out.Set(i, entry);
  }
  return out;
}

}  // namespace sm
