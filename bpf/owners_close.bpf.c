// SPDX-License-Identifier: GPL-2.0-only
/* Socket close → SM_EVENT_SOCK_CLOSE with the socket's endpoints, so userspace can end the flow
 * before the TC table's idle expiry. */
#include "owners.bpf.h"

char LICENSE[] SEC("license") = "GPL";

static __always_inline void emit_close(struct sock *sk, __u64 cookie)
{
	struct sm_owner_event *e;

	if (!sm_is_inet(sk))
		return;
	e = sm_reserve(SM_EVENT_SOCK_CLOSE);
	if (!e)
		return;
	e->cookie = cookie;
	sm_read_sock_tuple(sk, e);
	/* Never bound nor connected: no flow can have used it. */
	if (!e->local_port && !e->remote_port) {
		bpf_ringbuf_discard(e, 0);
		return;
	}
	bpf_ringbuf_submit(e, 0);
}

SEC("fentry/tcp_close")
int BPF_PROG(close_fentry, struct sock *sk, long timeout)
{
	emit_close(sk, bpf_get_socket_cookie(sk));
	return 0;
}

SEC("kprobe/tcp_close")
int BPF_KPROBE(close_kprobe, struct sock *sk)
{
	emit_close(sk, sm_stored_cookie(sk));
	return 0;
}

/* since 5.9: the closing task, TCP and UDP alike, at the last close() of the socket. A TCP socket
 * whose FIN exchange already finished has given its port back (inet_put_port) by then; userspace
 * completes such records from the owner record with the same cookie. This hook may
 * not read the source fields of its bpf_sock context (post_bind only), but the context is the kernel
 * socket itself, so its endpoints are read with CO-RE like everywhere else. */
SEC("cgroup/sock_release")
int close_sock_release(struct bpf_sock *ctx)
{
	if (ctx->protocol != SM_IPPROTO_TCP && ctx->protocol != SM_IPPROTO_UDP)
		return 1;
	emit_close((struct sock *)ctx, bpf_get_socket_cookie(ctx));
	return 1;
}

/* since 5.5: TCP only; →CLOSE may run in softirq, which is fine since no identity is needed. */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(close_tp_btf, struct sock *sk, int oldstate, int newstate)
{
	if (newstate != TCP_CLOSE || sk->sk_protocol != SM_IPPROTO_TCP)
		return 0;
	emit_close(sk, bpf_get_socket_cookie(sk));
	return 0;
}
