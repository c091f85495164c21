// SPDX-License-Identifier: GPL-2.0-only
/* ICMP sockets (ping sockets and raw ICMP sockets) → SM_EVENT_OWNER with how SM_HOW_CREATE, taken at
 * socket() in the creating process. Such a socket has no port to join on: the TC program records
 * the sending socket's cookie on each flow, and userspace joins this record to ICMP echo flows by
 * that cookie alone. */
#include "owners.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("cgroup/sock_create")
int create_icmp(struct bpf_sock *ctx)
{
	struct sm_owner_event *e;

	if (ctx->protocol != SM_IPPROTO_ICMP && ctx->protocol != SM_IPPROTO_ICMPV6)
		return 1;
	e = sm_reserve(SM_EVENT_OWNER);
	if (!e)
		return 1;
	e->cookie = bpf_get_socket_cookie(ctx);
	sm_current_id_notask(&e->id);
	e->family = ctx->family == SM_AF_INET6 ? SM_FAMILY_V6 : SM_FAMILY_V4;
	e->proto = ctx->protocol;
	e->how = SM_HOW_CREATE;
	bpf_ringbuf_submit(e, 0);
	return 1;
}
