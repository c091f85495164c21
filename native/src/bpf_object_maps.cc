// BpfObject's map operations: batch reads, updates, deletes and per-CPU arrays (split from
// bpf_object.cc to keep each file to one job).
#include <bpf/bpf.h>
#include <cerrno>
#include <cstring>
#include <vector>

#include "bpf_object.h"
#include "errors.h"

namespace sm {
namespace {
size_t RoundUp8(size_t n) { return (n + 7) & ~size_t(7); }
}  // namespace

// lookupBatch(map) -> { keys, values, count, batch, complete, calls }: packed rows; per-CPU values
// are cpus x round8(size). `calls` counts bpf_map_lookup_batch syscalls, so a test can hold a read
// to its bound (every call but the last returns at least one row: calls <= count + 1).
Napi::Value BpfObject::LookupBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, true);
  bpf_map* map = Map(env, info[0]);
  int fd = bpf_map__fd(map);
  size_t keySize = bpf_map__key_size(map);
  bpf_map_type type = bpf_map__type(map);
  bool perCpu = type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_LRU_PERCPU_HASH ||
                type == BPF_MAP_TYPE_PERCPU_ARRAY;
  size_t valueSize = perCpu ? RoundUp8(bpf_map__value_size(map)) * libbpf_num_possible_cpus()
                            : bpf_map__value_size(map);
  size_t capacity = bpf_map__max_entries(map);
  std::vector<uint8_t> keys(capacity * keySize), values(capacity * valueSize);
  size_t count = 0;
  bool batchWorks = true;
  bool complete = true;
  std::vector<uint8_t> in(keySize), out(keySize);
  void* inBatch = nullptr;
  double calls = 0;
  while (count < capacity) {
    __u32 chunk = static_cast<__u32>(capacity - count);
    LIBBPF_OPTS(bpf_map_batch_opts, opts);
    int err = bpf_map_lookup_batch(fd, inBatch, out.data(), keys.data() + count * keySize,
                                   values.data() + count * valueSize, &chunk, &opts);
    calls++;
    int code = err ? errno : 0;
    if (err && code != ENOENT) {
      if (count == 0 && (code == EINVAL || code == EOPNOTSUPP || code == 524)) batchWorks = false;
      else if (code != ENOSPC) ThrowErrno(env, "bpf_map_lookup_batch", code);
      if (!batchWorks) break;
    }
    count += chunk;
    if (code == ENOENT) break;
    // ENOSPC: the next hash bucket holds more rows than the space left (the table grew past
    // max_entries while being read, as an LRU under churn can). Asking again with the same cursor
    // gets the same answer forever (seen: 4,313 identical replies, 4.4 s per read): return what
    // was read; the rest comes with the next read.
    if (code == ENOSPC && chunk == 0) {
      complete = false;
      break;
    }
    in = out;
    inBatch = in.data();
  }
  if (!batchWorks) {
    count = 0;
    std::vector<uint8_t> key(keySize), next(keySize);
    void* previous = nullptr;
    while (count < capacity && bpf_map_get_next_key(fd, previous, next.data()) == 0) {
      if (bpf_map_lookup_elem(fd, next.data(), values.data() + count * valueSize) == 0) {
        memcpy(keys.data() + count * keySize, next.data(), keySize);
        count++;
      }
      key = next;
      previous = key.data();
    }
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("keys", Napi::Buffer<uint8_t>::Copy(env, keys.data(), count * keySize));
  result.Set("values", Napi::Buffer<uint8_t>::Copy(env, values.data(), count * valueSize));
  result.Set("count", static_cast<double>(count));
  result.Set("batch", batchWorks);
  result.Set("complete", complete);
  result.Set("calls", calls);
  return result;
}

// lookupKeys(map, packedKeys) -> { keys, values, count }: the rows of those keys still present, one
// lookup each: a few new flows cost microseconds where a batch read of the whole table costs ~25 ms.
Napi::Value BpfObject::LookupKeys(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, true);
  bpf_map* map = Map(env, info[0]);
  Napi::Buffer<uint8_t> wanted = info[1].As<Napi::Buffer<uint8_t>>();
  size_t keySize = bpf_map__key_size(map);
  size_t valueSize = bpf_map__value_size(map);
  int fd = bpf_map__fd(map);
  size_t asked = wanted.Length() / keySize;
  std::vector<uint8_t> keys(asked * keySize), values(asked * valueSize);
  size_t count = 0;
  for (size_t i = 0; i < asked; i++) {
    const uint8_t* key = wanted.Data() + i * keySize;
    if (bpf_map_lookup_elem(fd, key, values.data() + count * valueSize) != 0) continue;
    memcpy(keys.data() + count * keySize, key, keySize);
    count++;
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("keys", Napi::Buffer<uint8_t>::Copy(env, keys.data(), count * keySize));
  result.Set("values", Napi::Buffer<uint8_t>::Copy(env, values.data(), count * valueSize));
  result.Set("count", static_cast<double>(count));
  return result;
}

Napi::Value BpfObject::UpdateElem(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, true);
  bpf_map* map = Map(env, info[0]);
  Napi::Buffer<uint8_t> key = info[1].As<Napi::Buffer<uint8_t>>();
  Napi::Buffer<uint8_t> value = info[2].As<Napi::Buffer<uint8_t>>();
  if (key.Length() != bpf_map__key_size(map) || value.Length() != bpf_map__value_size(map))
    ThrowCode(env, "EINVAL", std::string("wrong key/value size for map ") + bpf_map__name(map));
  if (bpf_map_update_elem(bpf_map__fd(map), key.Data(), value.Data(), BPF_ANY))
    ThrowErrno(env, "bpf_map_update_elem", errno);
  return env.Undefined();
}

// deleteKeys(map, packedKeys) -> how many were deleted (missing keys are not errors).
Napi::Value BpfObject::DeleteKeys(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, true);
  bpf_map* map = Map(env, info[0]);
  Napi::Buffer<uint8_t> keys = info[1].As<Napi::Buffer<uint8_t>>();
  size_t keySize = bpf_map__key_size(map);
  int fd = bpf_map__fd(map);
  double deleted = 0;
  for (size_t offset = 0; offset + keySize <= keys.Length(); offset += keySize)
    if (bpf_map_delete_elem(fd, keys.Data() + offset) == 0) deleted++;
  return Napi::Number::New(env, deleted);
}

// readPerCpuArray(map[, index]) -> Buffer of maxEntries (or 1) x cpus x round8(valueSize), entry-major.
Napi::Value BpfObject::ReadPerCpuArray(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireLoaded(env, true);
  bpf_map* map = Map(env, info[0]);
  if (bpf_map__type(map) != BPF_MAP_TYPE_PERCPU_ARRAY) ThrowCode(env, "EINVAL", "not a per-CPU array");
  int cpus = libbpf_num_possible_cpus();
  size_t stride = RoundUp8(bpf_map__value_size(map)) * cpus;
  size_t entries = bpf_map__max_entries(map);
  __u32 first = 0;
  if (info.Length() > 1 && info[1].IsNumber()) {
    first = info[1].As<Napi::Number>().Uint32Value();
    if (first >= entries) ThrowCode(env, "EINVAL", "per-CPU array index out of range");
    entries = 1;
  }
  Napi::Buffer<uint8_t> out = Napi::Buffer<uint8_t>::New(env, entries * stride);
  memset(out.Data(), 0, out.Length());
  for (__u32 i = 0; i < entries; i++) {
    __u32 key = first + i;
    if (bpf_map_lookup_elem(bpf_map__fd(map), &key, out.Data() + i * stride))
      ThrowErrno(env, "bpf_map_lookup_elem", errno);
  }
  return out;
}

}  // namespace sm
