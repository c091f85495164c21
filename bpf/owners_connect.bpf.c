// SPDX-License-Identifier: GPL-2.0-only
/* TCP connect → owner. One variant per kernel generation; userspace autoloads exactly one
 * (native/chains.ts). Every variant emits one SM_EVENT_OWNER per socket once the local port is known. */
#include "owners.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Classic-tracepoint variant only: sk address → owner between SYN_SENT and the next state, since
 * the raw tracepoint record gives no trusted socket pointer for sk_storage. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct sm_owner_id);
} sm_connecting SEC(".maps");

static __always_inline void stamp_owner(struct sock *sk, const struct sm_owner_id *id, __u32 emitted)
{
	struct sm_sk_owner *owner = bpf_sk_storage_get(&sm_sk_owner, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);

	if (!owner) {
		sm_owner_count(SM_OWNER_STAT_STORAGE_FULL);
		return;
	}
	owner->id = *id;
	owner->how = SM_HOW_CONNECT;
	owner->emitted |= emitted;
}

/* since 5.5 with BTF; refused (EPERM) where fentry is not allowed. tcp_connect runs after
 * inet_hash_connect, so the source port is set. */
SEC("fentry/tcp_connect")
int BPF_PROG(connect_fentry, struct sock *sk)
{
	struct sm_owner_id id = {};

	sm_current_id(&id);
	stamp_owner(sk, &id, SM_EMITTED_CONNECT);
	sm_emit_owner(sk, bpf_get_socket_cookie(sk), &id, SM_HOW_CONNECT, true);
	return 0;
}

/* any kernel with CONFIG_KPROBES. */
SEC("kprobe/tcp_connect")
int BPF_KPROBE(connect_kprobe, struct sock *sk)
{
	struct sm_owner_id id = {};

	sm_current_id(&id);
	sm_emit_owner(sk, sm_stored_cookie(sk), &id, SM_HOW_CONNECT, true);
	return 0;
}

/* since 5.5 (tp_btf), sk_storage from tracing since 5.11. CLOSE→SYN_SENT runs in the connecting
 * task but before the source port is chosen; the next transition (ESTABLISHED or CLOSE) may run in
 * softirq, so the identity travels in sk_storage. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(connect_tp_btf, struct sock *sk, int oldstate, int newstate)
{
	struct sm_sk_owner *owner;

	if (sk->sk_protocol != SM_IPPROTO_TCP)
		return 0;
	if (newstate == TCP_SYN_SENT) {
		struct sm_owner_id id = {};

		sm_current_id(&id);
		stamp_owner(sk, &id, 0);
		return 0;
	}
	if (oldstate != TCP_SYN_SENT)
		return 0;
	owner = bpf_sk_storage_get(&sm_sk_owner, sk, 0, 0);
	if (!owner || (owner->emitted & SM_EMITTED_CONNECT))
		return 0;
	owner->emitted |= SM_EMITTED_CONNECT;
	sm_emit_owner(sk, bpf_get_socket_cookie(sk), &owner->id, SM_HOW_CONNECT, true);
	return 0;
}

/* since 4.16, for kernels without BTF-typed tracepoints. */
SEC("tracepoint/sock/inet_sock_set_state")
int connect_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	__u64 key = (__u64)ctx->skaddr;
	struct sm_owner_id *pending;
	struct sock *sk = (struct sock *)ctx->skaddr;

	if (ctx->protocol != SM_IPPROTO_TCP)
		return 0;
	if (ctx->newstate == TCP_SYN_SENT) {
		struct sm_owner_id id = {};

		sm_current_id(&id);
		if (bpf_map_update_elem(&sm_connecting, &key, &id, BPF_ANY))
			sm_owner_count(SM_OWNER_STAT_PENDING_FULL);
		return 0;
	}
	if (ctx->oldstate != TCP_SYN_SENT)
		return 0;
	pending = bpf_map_lookup_elem(&sm_connecting, &key);
	if (!pending)
		return 0;
	sm_emit_owner(sk, sm_stored_cookie(sk), pending, SM_HOW_CONNECT, true);
	bpf_map_delete_elem(&sm_connecting, &key);
	return 0;
}

/* sockops since 4.13; bpf_get_current_pid_tgid/comm allowed here since 6.10. TCP_CONNECT_CB runs
 * in the connecting task with the source port set. */
SEC("sockops")
int connect_sockops(struct bpf_sock_ops *ops)
{
	struct sm_owner_id id = {};
	struct sm_sk_owner *owner;
	struct bpf_sock *sk;

	if (ops->op != BPF_SOCK_OPS_TCP_CONNECT_CB)
		return 1;
	sk = ops->sk;
	if (!sk)
		return 1;
	sm_current_id_notask(&id);
	owner = bpf_sk_storage_get(&sm_sk_owner, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (owner) {
		owner->id = id;
		owner->how = SM_HOW_CONNECT;
		owner->emitted |= SM_EMITTED_CONNECT;
	} else {
		sm_owner_count(SM_OWNER_STAT_STORAGE_FULL);
	}

	struct sm_owner_event *e = sm_reserve(SM_EVENT_OWNER);

	if (!e)
		return 1;
	e->cookie = bpf_get_socket_cookie(ops);
	e->id = id;
	e->how = SM_HOW_CONNECT;
	e->proto = SM_IPPROTO_TCP;
	e->flags = SM_OWNER_REMOTE_KNOWN;
	e->local_port = ops->local_port;
	/* remote_port holds the network-order port in its upper half (little-endian load << 16). */
	e->remote_port = bpf_ntohl(ops->remote_port);
	/* ctx fields are rewritten loads: read them word by word, never memcpy from ctx. */
	__u32 *local = (__u32 *)e->local_addr;
	__u32 *remote = (__u32 *)e->remote_addr;

	if (ops->family == SM_AF_INET6) {
		e->family = SM_FAMILY_V6;
		local[0] = ops->local_ip6[0];
		local[1] = ops->local_ip6[1];
		local[2] = ops->local_ip6[2];
		local[3] = ops->local_ip6[3];
		remote[0] = ops->remote_ip6[0];
		remote[1] = ops->remote_ip6[1];
		remote[2] = ops->remote_ip6[2];
		remote[3] = ops->remote_ip6[3];
	} else {
		e->family = SM_FAMILY_V4;
		local[0] = ops->local_ip4;
		remote[0] = ops->remote_ip4;
	}
	bpf_ringbuf_submit(e, 0);
	return 1;
}
