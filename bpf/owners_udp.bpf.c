// SPDX-License-Identifier: GPL-2.0-only
/* UDP send/receive → owner, attributed by local endpoint: an unconnected socket talks to many peers,
 * so its record carries only the local half (remote flag clear) and owns every flow from it. One
 * record per socket and owning process, not one per datagram. */
#include "owners.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* kprobe/fexit variants only: socket address → pid already reported (kprobes cannot use sk_storage). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u32);
} sm_udp_seen SEC(".maps");

static __always_inline bool first_time_for(struct sock *sk, __u32 pid)
{
	__u64 key = (__u64)sk;
	__u32 *seen = bpf_map_lookup_elem(&sm_udp_seen, &key);

	if (seen && *seen == pid)
		return false;
	bpf_map_update_elem(&sm_udp_seen, &key, &pid, BPF_ANY);
	return true;
}

static __always_inline int own_hashed(struct sock *sk, __u8 how)
{
	struct sm_owner_id id = {};

	if (!first_time_for(sk, bpf_get_current_pid_tgid() >> 32))
		return 0;
	sm_current_id(&id);
	sm_emit_owner(sk, sm_stored_cookie(sk), &id, how, true);
	return 0;
}

SEC("fexit/udp_sendmsg")
int BPF_PROG(udp_fexit, struct sock *sk, struct msghdr *msg, size_t len, int ret)
{
	return own_hashed(sk, SM_HOW_UDP_SEND);
}

SEC("fexit/udpv6_sendmsg")
int BPF_PROG(udp6_fexit, struct sock *sk, struct msghdr *msg, size_t len, int ret)
{
	return own_hashed(sk, SM_HOW_UDP_SEND);
}

/* At entry the source port of a never-bound socket is already set: inet_sendmsg autobinds first. */
SEC("kprobe/udp_sendmsg")
int BPF_KPROBE(udp_kprobe, struct sock *sk)
{
	return own_hashed(sk, SM_HOW_UDP_SEND);
}

SEC("kprobe/udpv6_sendmsg")
int BPF_KPROBE(udp6_kprobe, struct sock *sk)
{
	return own_hashed(sk, SM_HOW_UDP_SEND);
}

/* Receive side of the fexit and kprobe variants: a socket that only receives (a server, a DNS
 * stub's listener) never sends first. At entry the socket is bound (it could not receive otherwise);
 * only the first argument is read, the one every kernel since 5.10 agrees on (5.19 dropped
 * udp_recvmsg's noblock argument). */
SEC("fentry/udp_recvmsg")
int BPF_PROG(udp_recv_fentry, struct sock *sk)
{
	return own_hashed(sk, SM_HOW_UDP_RECV);
}

SEC("fentry/udpv6_recvmsg")
int BPF_PROG(udp6_recv_fentry, struct sock *sk)
{
	return own_hashed(sk, SM_HOW_UDP_RECV);
}

SEC("kprobe/udp_recvmsg")
int BPF_KPROBE(udp_recv_kprobe, struct sock *sk)
{
	return own_hashed(sk, SM_HOW_UDP_RECV);
}

SEC("kprobe/udpv6_recvmsg")
int BPF_KPROBE(udp6_recv_kprobe, struct sock *sk)
{
	return own_hashed(sk, SM_HOW_UDP_RECV);
}

/* since 6.3: caller's task, every send/receive path including io_uring and sendmmsg. */
static __always_inline int own_on_io(struct sock *sk, __u8 how)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct sm_sk_owner *owner;

	if (sk->sk_protocol != SM_IPPROTO_UDP || !sm_is_inet(sk) || !sk->__sk_common.skc_num)
		return 0;
	owner = bpf_sk_storage_get(&sm_sk_owner, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!owner) {
		sm_owner_count(SM_OWNER_STAT_STORAGE_FULL);
		return 0;
	}
	if ((owner->emitted & SM_EMITTED_UDP) && owner->id.pid == pid)
		return 0;
	sm_current_id(&owner->id);
	owner->how = how;
	owner->emitted |= SM_EMITTED_UDP;
	sm_emit_owner(sk, bpf_get_socket_cookie(sk), &owner->id, how, true);
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(udp_send_tp_btf, struct sock *sk, int ret, int flags)
{
	return own_on_io(sk, SM_HOW_UDP_SEND);
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(udp_recv_tp_btf, struct sock *sk, int ret, int flags)
{
	return own_on_io(sk, SM_HOW_UDP_RECV);
}

/* cgroup variant (sock_addr hooks since 4.17/5.2, sk_storage there since 5.2ish, pid/comm helpers
 * ~5.7). sendmsg/recvmsg hooks run only when the caller passes an address (unconnected use);
 * connect runs before autobind (no source port yet), so connected sockets are stamped there and
 * reported by the egress hook once their first datagram leaves with the full tuple. */
static __always_inline void emit_bpf_sock(struct bpf_sock *sk, __u64 cookie, const struct sm_owner_id *id,
					  __u8 how)
{
	struct sm_owner_event *e = sm_reserve(SM_EVENT_OWNER);

	if (!e)
		return;
	e->cookie = cookie;
	e->id = *id;
	e->how = how;
	e->proto = SM_IPPROTO_UDP;
	e->local_port = sk->src_port;
	e->remote_port = bpf_ntohs(sk->dst_port);
	/* ctx-like bpf_sock fields are rewritten loads: read them word by word, never memcpy. */
	__u32 *local = (__u32 *)e->local_addr;
	__u32 *remote = (__u32 *)e->remote_addr;

	if (sk->family == SM_AF_INET6) {
		e->family = SM_FAMILY_V6;
		local[0] = sk->src_ip6[0];
		local[1] = sk->src_ip6[1];
		local[2] = sk->src_ip6[2];
		local[3] = sk->src_ip6[3];
		if (e->remote_port) {
			remote[0] = sk->dst_ip6[0];
			remote[1] = sk->dst_ip6[1];
			remote[2] = sk->dst_ip6[2];
			remote[3] = sk->dst_ip6[3];
		}
	} else {
		e->family = SM_FAMILY_V4;
		local[0] = sk->src_ip4;
		if (e->remote_port)
			remote[0] = sk->dst_ip4;
	}
	if (e->remote_port)
		e->flags = SM_OWNER_REMOTE_KNOWN;
	bpf_ringbuf_submit(e, 0);
}

static __always_inline struct sm_sk_owner *stamp_udp(struct bpf_sock_addr *ctx, __u8 how)
{
	struct bpf_sock *sk = ctx->sk;
	struct sm_sk_owner *owner;
	__u32 pid;

	if (!sk || ctx->protocol != SM_IPPROTO_UDP)
		return NULL;
	owner = bpf_sk_storage_get(&sm_sk_owner, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!owner) {
		sm_owner_count(SM_OWNER_STAT_STORAGE_FULL);
		return NULL;
	}
	pid = bpf_get_current_pid_tgid() >> 32;
	if ((owner->emitted & SM_EMITTED_UDP) && owner->id.pid == pid)
		return NULL;
	sm_current_id_notask(&owner->id);
	owner->how = how;
	owner->emitted &= ~SM_EMITTED_UDP;
	return owner;
}

static __always_inline int own_unconnected(struct bpf_sock_addr *ctx, __u8 how)
{
	struct sm_sk_owner *owner = stamp_udp(ctx, how);
	struct bpf_sock *sk = ctx->sk;

	if (!owner || !sk || !sk->src_port)
		return 1;
	owner->emitted |= SM_EMITTED_UDP;
	emit_bpf_sock(sk, bpf_get_socket_cookie(ctx), &owner->id, how);
	return 1;
}

SEC("cgroup/sendmsg4")
int udp_sendmsg4(struct bpf_sock_addr *ctx)
{
	return own_unconnected(ctx, SM_HOW_UDP_SEND);
}

SEC("cgroup/sendmsg6")
int udp_sendmsg6(struct bpf_sock_addr *ctx)
{
	return own_unconnected(ctx, SM_HOW_UDP_SEND);
}

SEC("cgroup/recvmsg4")
int udp_recvmsg4(struct bpf_sock_addr *ctx)
{
	return own_unconnected(ctx, SM_HOW_UDP_RECV);
}

SEC("cgroup/recvmsg6")
int udp_recvmsg6(struct bpf_sock_addr *ctx)
{
	return own_unconnected(ctx, SM_HOW_UDP_RECV);
}

SEC("cgroup/connect4")
int udp_connect4(struct bpf_sock_addr *ctx)
{
	stamp_udp(ctx, SM_HOW_UDP_SEND);
	return 1;
}

SEC("cgroup/connect6")
int udp_connect6(struct bpf_sock_addr *ctx)
{
	stamp_udp(ctx, SM_HOW_UDP_SEND);
	return 1;
}

/* Reports a stamped, not yet reported UDP socket at its first outgoing datagram. Costs one
 * sk_storage lookup per egress packet of this cgroup tree; never changes a verdict. */
SEC("cgroup_skb/egress")
int udp_skb_egress(struct __sk_buff *skb)
{
	struct bpf_sock *sk = skb->sk;
	struct sm_sk_owner *owner;

	if (!sk)
		return 1;
	sk = bpf_sk_fullsock(sk);
	if (!sk || sk->protocol != SM_IPPROTO_UDP)
		return 1;
	owner = bpf_sk_storage_get(&sm_sk_owner, sk, 0, 0);
	if (!owner || (owner->emitted & SM_EMITTED_UDP))
		return 1;
	owner->emitted |= SM_EMITTED_UDP;
	emit_bpf_sock(sk, bpf_get_socket_cookie(skb), &owner->id, owner->how);
	return 1;
}
