#include "bpf_object.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <vector>

#include "bpf_link.h"
#include "env_state.h"
#include "errors.h"

extern "C" {
struct EmbeddedObject {
  const char* name;
  const unsigned char* data;
  unsigned long size;
};
extern const EmbeddedObject sm_embedded_objects[];
extern const unsigned long sm_embedded_count;
}

// Debian 12's uapi headers (6.1) predate tcx (6.6).
#define SM_BPF_TCX_INGRESS 46
#define SM_BPF_TCX_EGRESS 47

namespace sm {

Napi::Function BpfObject::Init(Napi::Env env) {
  Napi::Function func = DefineClass(
      env, "BpfObject",
      {InstanceMethod("programs", &BpfObject::Programs), InstanceMethod("maps", &BpfObject::Maps),
       InstanceMethod("setAutoload", &BpfObject::SetAutoload),
       InstanceMethod("setMapMaxEntries", &BpfObject::SetMapMaxEntries),
       InstanceMethod("reuseMapFd", &BpfObject::ReuseMapFd), InstanceMethod("setGlobal", &BpfObject::SetGlobal),
       InstanceMethod("load", &BpfObject::Load), InstanceMethod("mapFd", &BpfObject::MapFd),
       InstanceMethod("programFd", &BpfObject::ProgramFd), InstanceMethod("programId", &BpfObject::ProgramId), InstanceMethod("attachTcx", &BpfObject::AttachTcx),
       InstanceMethod("attachClsact", &BpfObject::AttachClsact),
       InstanceMethod("attachCgroup", &BpfObject::AttachCgroup),
       InstanceMethod("attachAuto", &BpfObject::AttachAuto), InstanceMethod("lookupBatch", &BpfObject::LookupBatch),
       InstanceMethod("lookupKeys", &BpfObject::LookupKeys),
       InstanceMethod("updateElem", &BpfObject::UpdateElem), InstanceMethod("deleteKeys", &BpfObject::DeleteKeys),
       InstanceMethod("readPerCpuArray", &BpfObject::ReadPerCpuArray),
       InstanceMethod("runIterator", &BpfObject::RunIterator), InstanceMethod("testRun", &BpfObject::TestRun),
       InstanceMethod("close", &BpfObject::Close)});
  State(env).bpfObject = Napi::Persistent(func);
  return func;
}

Napi::Value BpfObject::EmbeddedNames(const Napi::CallbackInfo& info) {
  Napi::Array names = Napi::Array::New(info.Env(), sm_embedded_count);
  for (unsigned long i = 0; i < sm_embedded_count; i++) names.Set(i, sm_embedded_objects[i].name);
  return names;
}

// openObject(name): the embedded object built from bpf/<name>.bpf.c.
Napi::Value BpfObject::Open(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string name = info[0].As<Napi::String>();
  const EmbeddedObject* found = nullptr;
  for (unsigned long i = 0; i < sm_embedded_count; i++)
    if (name == sm_embedded_objects[i].name) found = &sm_embedded_objects[i];
  if (!found) ThrowCode(env, "ENOENT", "no embedded BPF object named '" + name + "'");
  ClearLibbpfLog();
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = found->name);
  bpf_object* object = bpf_object__open_mem(found->data, found->size, &opts);
  if (!object) ThrowErrnoWithLog(env, "bpf_object__open_mem(" + name + ")", errno);
  Napi::Object wrapper = State(env).bpfObject.New({});
  BpfObject* self = Unwrap(wrapper);
  self->object_ = object;
  self->name_ = name;
  self->registry_ = &State(env).others;
  self->registry_->Add(self, [self] { self->Release(); });
  return wrapper;
}

BpfObject::BpfObject(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BpfObject>(info) {}
BpfObject::~BpfObject() { Release(); }

void BpfObject::Release() {
  if (!object_) return;
  if (registry_) registry_->Remove(this);
  bpf_object__close(object_);
  object_ = nullptr;
}

bpf_program* BpfObject::Program(Napi::Env env, const Napi::Value& name) {
  if (!object_) ThrowCode(env, "EBADF", "BPF object '" + name_ + "' is closed");
  std::string programName = name.As<Napi::String>();
  bpf_program* program = bpf_object__find_program_by_name(object_, programName.c_str());
  if (!program) ThrowCode(env, "ENOENT", "no program '" + programName + "' in '" + name_ + "'");
  return program;
}

bpf_map* BpfObject::Map(Napi::Env env, const Napi::Value& name) {
  if (!object_) ThrowCode(env, "EBADF", "BPF object '" + name_ + "' is closed");
  std::string mapName = name.As<Napi::String>();
  bpf_map* map = bpf_object__find_map_by_name(object_, mapName.c_str());
  if (!map) ThrowCode(env, "ENOENT", "no map '" + mapName + "' in '" + name_ + "'");
  return map;
}

void BpfObject::RequireLoaded(Napi::Env env, bool loaded) {
  if (loaded_ != loaded)
    ThrowCode(env, "EINVAL", "BPF object '" + name_ + (loaded ? "' is not loaded yet" : "' is already loaded"));
}

Napi::Value BpfObject::Programs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  bpf_program* program;
  uint32_t i = 0;
  bpf_object__for_each_program(program, object_) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", bpf_program__name(program));
    entry.Set("section", bpf_program__section_name(program));
    entry.Set("autoload", bpf_program__autoload(program));
    out.Set(i++, entry);
  }
  return out;
}

Napi::Value BpfObject::Maps(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  bpf_map* map;
  uint32_t i = 0;
  bpf_object__for_each_map(map, object_) {
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", bpf_map__name(map));
    entry.Set("type", static_cast<int>(bpf_map__type(map)));
    entry.Set("keySize", bpf_map__key_size(map));
    entry.Set("valueSize", bpf_map__value_size(map));
    entry.Set("maxEntries", bpf_map__max_entries(map));
    out.Set(i++, entry);
  }
  return out;
}

Napi::Value BpfObject::SetAutoload(const Napi::CallbackInfo& info) {
  RequireLoaded(info.Env(), false);
  int err = bpf_program__set_autoload(Program(info.Env(), info[0]), info[1].As<Napi::Boolean>());
  if (err) ThrowErrno(info.Env(), "bpf_program__set_autoload", err);
  return info.Env().Undefined();
}

Napi::Value BpfObject::SetMapMaxEntries(const Napi::CallbackInfo& info) {
  RequireLoaded(info.Env(), false);
  int err = bpf_map__set_max_entries(Map(info.Env(), info[0]), info[1].As<Napi::Number>().Uint32Value());
  if (err) ThrowErrno(info.Env(), "bpf_map__set_max_entries", err);
  return info.Env().Undefined();
}

Napi::Value BpfObject::ReuseMapFd(const Napi::CallbackInfo& info) {
  RequireLoaded(info.Env(), false);
  int err = bpf_map__reuse_fd(Map(info.Env(), info[0]), info[1].As<Napi::Number>().Int32Value());
  if (err) ThrowErrno(info.Env(), "bpf_map__reuse_fd", err);
  return info.Env().Undefined();
}

// setGlobal(variable, Buffer): writes a global (const volatile / .data / .bss) before load, found by
// name in the object's BTF data sections.
Napi::Value BpfObject::SetGlobal(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, false);
  std::string variable = info[0].As<Napi::String>();
  Napi::Buffer<uint8_t> value = info[1].As<Napi::Buffer<uint8_t>>();
  const btf* types = bpf_object__btf(object_);
  if (!types) ThrowCode(env, "ENOBTF", "BPF object '" + name_ + "' has no BTF");
  bpf_map* map;
  bpf_object__for_each_map(map, object_) {
    if (!bpf_map__is_internal(map)) continue;
    const char* mapName = bpf_map__name(map);
    const char* section = strchr(mapName, '.');
    if (!section) continue;
    int id = btf__find_by_name_kind(types, section, BTF_KIND_DATASEC);
    if (id < 0) continue;
    const btf_type* datasec = btf__type_by_id(types, id);
    const btf_var_secinfo* vars = btf_var_secinfos(datasec);
    for (int i = 0; i < btf_vlen(datasec); i++) {
      const btf_type* var = btf__type_by_id(types, vars[i].type);
      if (variable != btf__name_by_offset(types, var->name_off)) continue;
      if (vars[i].size != value.Length())
        ThrowCode(env, "EINVAL", variable + " is " + std::to_string(vars[i].size) + " bytes");
      size_t size = 0;
      const uint8_t* current = static_cast<const uint8_t*>(bpf_map__initial_value(map, &size));
      if (!current || vars[i].offset + vars[i].size > size)
        ThrowCode(env, "EINVAL", "no initial value for " + variable);
      std::vector<uint8_t> data(current, current + size);
      memcpy(data.data() + vars[i].offset, value.Data(), value.Length());
      int err = bpf_map__set_initial_value(map, data.data(), data.size());
      if (err) ThrowErrno(env, "bpf_map__set_initial_value", err);
      return env.Undefined();
    }
  }
  ThrowCode(env, "ENOENT", "no global '" + variable + "' in '" + name_ + "'");
}

Napi::Value BpfObject::Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, false);
  ClearLibbpfLog();
  int err = bpf_object__load(object_);
  if (err) ThrowErrnoWithLog(env, "bpf_object__load(" + name_ + ")", err);
  loaded_ = true;
  return env.Undefined();
}

Napi::Value BpfObject::MapFd(const Napi::CallbackInfo& info) {
  RequireLoaded(info.Env(), true);
  return Napi::Number::New(info.Env(), bpf_map__fd(Map(info.Env(), info[0])));
}

Napi::Value BpfObject::ProgramFd(const Napi::CallbackInfo& info) {
  RequireLoaded(info.Env(), true);
  return Napi::Number::New(info.Env(), bpf_program__fd(Program(info.Env(), info[0])));
}

// attachTcx(prog, ifindex, 'ingress'|'egress'): libbpf 1.1 has no attach_tcx, but bpf_link_create
// passes unknown attach types through. The link dies with its fd (and with this process).
// programId(prog): the kernel's id for a loaded program (matches tc/bpftool/BPF_PROG_QUERY output).
Napi::Value BpfObject::ProgramId(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, true);
  bpf_prog_info progInfo = {};
  __u32 length = sizeof progInfo;
  if (bpf_obj_get_info_by_fd(bpf_program__fd(Program(env, info[0])), &progInfo, &length))
    ThrowErrno(env, "bpf_obj_get_info_by_fd", errno);
  return Napi::Number::New(env, progInfo.id);
}

Napi::Value BpfObject::AttachTcx(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, true);
  bpf_program* program = Program(env, info[0]);
  int ifindex = info[1].As<Napi::Number>().Int32Value();
  std::string direction = info[2].As<Napi::String>();
  int type = direction == "ingress" ? SM_BPF_TCX_INGRESS : SM_BPF_TCX_EGRESS;
  int fd = bpf_link_create(bpf_program__fd(program), ifindex, static_cast<bpf_attach_type>(type), nullptr);
  if (fd < 0) ThrowErrno(env, "tcx attach (" + direction + ", ifindex " + std::to_string(ifindex) + ")", errno);
  return Link::FromFd(env, fd, "tcx " + direction + " ifindex " + std::to_string(ifindex));
}

// attachClsact(prog, ifindex, dir, handle, priority): creates clsact if missing (EEXIST is fine) and
// adds a direct-action filter at our fixed handle/priority; fails with EEXIST if one is there.
Napi::Value BpfObject::AttachClsact(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, true);
  bpf_program* program = Program(env, info[0]);
  int ifindex = info[1].As<Napi::Number>().Int32Value();
  int point = ClsactAttachPoint(env, info[2]);
  unsigned handle = info[3].As<Napi::Number>().Uint32Value();
  unsigned priority = info[4].As<Napi::Number>().Uint32Value();
  LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = static_cast<bpf_tc_attach_point>(point));
  int err = bpf_tc_hook_create(&hook);
  if (err && err != -EEXIST) ThrowErrno(env, "clsact qdisc (ifindex " + std::to_string(ifindex) + ")", err);
  LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = bpf_program__fd(program), .handle = handle, .priority = priority);
  err = bpf_tc_attach(&hook, &opts);
  if (err) ThrowErrno(env, "clsact filter (ifindex " + std::to_string(ifindex) + ")", err);
  std::string direction = info[2].As<Napi::String>();
  return Link::FromClsact(env, ifindex, point, handle, priority,
                          "clsact " + direction + " ifindex " + std::to_string(ifindex));
}

Napi::Value BpfObject::AttachCgroup(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, true);
  bpf_program* program = Program(env, info[0]);
  std::string path = info[1].As<Napi::String>();
  int cgroup = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgroup < 0) ThrowErrno(env, "open " + path, errno);
  bpf_link* link = bpf_program__attach_cgroup(program, cgroup);
  int err = errno;
  close(cgroup);
  if (!link) ThrowErrno(env, std::string("attach ") + bpf_program__name(program) + " to " + path, err);
  return Link::FromLibbpf(env, link, std::string(bpf_program__section_name(program)) + " " + path);
}

Napi::Value BpfObject::AttachAuto(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, true);
  bpf_program* program = Program(env, info[0]);
  ClearLibbpfLog();
  bpf_link* link = bpf_program__attach(program);
  if (!link) ThrowErrnoWithLog(env, std::string("attach ") + bpf_program__section_name(program), errno);
  return Link::FromLibbpf(env, link, bpf_program__section_name(program));
}

Napi::Value BpfObject::RunIterator(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, true);
  bpf_program* program = Program(env, info[0]);
  bpf_link* link = bpf_program__attach_iter(program, nullptr);
  if (!link) ThrowErrno(env, std::string("attach iterator ") + bpf_program__name(program), errno);
  int fd = bpf_iter_create(bpf_link__fd(link));
  if (fd < 0) {
    int err = errno;
    bpf_link__destroy(link);
    ThrowErrno(env, "bpf_iter_create", err);
  }
  std::vector<uint8_t> data;
  uint8_t chunk[16384];
  ssize_t n;
  while ((n = read(fd, chunk, sizeof chunk)) > 0) data.insert(data.end(), chunk, chunk + n);
  int err = n < 0 ? errno : 0;
  close(fd);
  bpf_link__destroy(link);
  if (err) ThrowErrno(env, "read iterator", err);
  return Napi::Buffer<uint8_t>::Copy(env, data.data(), data.size());
}

// testRun(prog, packet, repeat) -> { retval, durationNs } via BPF_PROG_TEST_RUN (unit tests, benchmarks).
Napi::Value BpfObject::TestRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, true);
  bpf_program* program = Program(env, info[0]);
  Napi::Buffer<uint8_t> packet = info[1].As<Napi::Buffer<uint8_t>>();
  int repeat = info.Length() > 2 ? info[2].As<Napi::Number>().Int32Value() : 1;
  __sk_buff context = {};
  if (info.Length() > 3 && info[3].IsObject()) {
    Napi::Object ctx = info[3].As<Napi::Object>();
    if (ctx.Has("ifindex")) context.ifindex = ctx.Get("ifindex").As<Napi::Number>().Uint32Value();
    if (ctx.Has("gsoSegs")) context.gso_segs = ctx.Get("gsoSegs").As<Napi::Number>().Uint32Value();
  }
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet.Data(), .data_size_in = static_cast<__u32>(packet.Length()),
              .ctx_in = &context, .ctx_size_in = sizeof context, .repeat = repeat);
  if (bpf_prog_test_run_opts(bpf_program__fd(program), &opts)) ThrowErrno(env, "BPF_PROG_TEST_RUN", errno);
  Napi::Object result = Napi::Object::New(env);
  result.Set("retval", static_cast<int32_t>(opts.retval));
  result.Set("durationNs", opts.duration);
  return result;
}

Napi::Value BpfObject::Close(const Napi::CallbackInfo& info) {
  Release();
  return info.Env().Undefined();
}

}  // namespace sm
