/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by every owners_*.bpf.c and procs.bpf.c object. Each object declares the same three maps;
 * userspace creates them once (first object loaded) and hands their fds to the others with
 * bpf_map__reuse_fd, so all variants write one ring buffer and one socket-owner storage (the
 * hooks' per-socket memory of what they already reported; the TC program keys flows by socket cookie
 * and does not read it, docs/kernel-notes.md §3.2). */
#ifndef OWNERS_BPF_H
#define OWNERS_BPF_H

#include "vmlinux/x86/vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "snitchmap.h"

#define SM_AF_INET 2
#define SM_AF_INET6 10
#define SM_IPPROTO_TCP 6
#define SM_IPPROTO_UDP 17

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} sm_owner_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct sm_sk_owner);
} sm_sk_owner SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SM_OWNER_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} sm_owner_stats SEC(".maps");

static __always_inline void sm_owner_count(__u32 stat)
{
	__u64 *value = bpf_map_lookup_elem(&sm_owner_stats, &stat);

	if (value)
		__sync_fetch_and_add(value, 1);
}

/* Identity of the current task; tracing programs only (bpf_get_current_task). */
static __always_inline void sm_current_id(struct sm_owner_id *id)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	id->pid = bpf_get_current_pid_tgid() >> 32;
	id->uid = (__u32)bpf_get_current_uid_gid();
	id->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	bpf_get_current_comm(id->comm, sizeof(id->comm));
}

/* Identity without the task struct, for cgroup and sockops programs (no bpf_get_current_task). */
static __always_inline void sm_current_id_notask(struct sm_owner_id *id)
{
	id->pid = bpf_get_current_pid_tgid() >> 32;
	id->uid = (__u32)bpf_get_current_uid_gid();
	id->start_ns = 0;
	bpf_get_current_comm(id->comm, sizeof(id->comm));
}

/* Endpoints of a kernel socket, read with CO-RE so any program type can use it. */
static __always_inline void sm_read_sock_tuple(struct sock *sk, struct sm_owner_event *e)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	e->proto = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
	e->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->remote_port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (family == SM_AF_INET6) {
		e->family = SM_FAMILY_V6;
		/* BPF_CORE_READ_INTO copies sizeof(*dst): pass typed in6_addr pointers, not byte arrays. */
		BPF_CORE_READ_INTO((struct in6_addr *)e->local_addr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO((struct in6_addr *)e->remote_addr, sk, __sk_common.skc_v6_daddr);
	} else {
		e->family = SM_FAMILY_V4;
		BPF_CORE_READ_INTO((__u32 *)e->local_addr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)e->remote_addr, sk, __sk_common.skc_daddr);
	}
	if (e->remote_port)
		e->flags |= SM_OWNER_REMOTE_KNOWN;
}

static __always_inline bool sm_is_inet(struct sock *sk)
{
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);

	return family == SM_AF_INET || family == SM_AF_INET6;
}

static __always_inline struct sm_owner_event *sm_reserve(__u32 kind)
{
	struct sm_owner_event *e = bpf_ringbuf_reserve(&sm_owner_events, sizeof(*e), 0);

	if (!e) {
		sm_owner_count(SM_OWNER_STAT_RINGBUF_FULL);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->header.kind = kind;
	e->header.ts_ns = bpf_ktime_get_ns();
	return e;
}

/* One owner record for `sk`, identity `id`. `cookie` 0 = unknown. */
static __always_inline void sm_emit_owner(struct sock *sk, __u64 cookie, const struct sm_owner_id *id,
					  __u8 how, bool remote)
{
	struct sm_owner_event *e = sm_reserve(SM_EVENT_OWNER);

	if (!e)
		return;
	e->cookie = cookie;
	e->id = *id;
	e->how = how;
	sm_read_sock_tuple(sk, e);
	if (!remote) {
		e->flags &= ~SM_OWNER_REMOTE_KNOWN;
		e->remote_port = 0;
		__builtin_memset(e->remote_addr, 0, sizeof(e->remote_addr));
	}
	bpf_ringbuf_submit(e, 0);
}

/* The socket cookie as the kernel stored it; 0 if nobody asked for it yet. For kprobes, which cannot
 * call bpf_get_socket_cookie. */
static __always_inline __u64 sm_stored_cookie(struct sock *sk)
{
	return BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);
}

#endif
