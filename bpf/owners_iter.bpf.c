// SPDX-License-Identifier: GPL-2.0-only
/* Owners of sockets that existed before snitchmap started: one pass over every task's files
 * (iter/task_file, since 5.11 with bpf_sock_from_file), writing sm_owner_event records into the
 * iterator's seq_file. Threads sharing a file table are visited once. */
#include "owners.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("iter/task_file")
int existing_sockets(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct sm_owner_event e = {};
	struct socket *sock;
	struct sock *sk;

	if (!task || !file)
		return 0;
	sock = bpf_sock_from_file(file);
	if (!sock)
		return 0;
	sk = sock->sk;
	if (!sk || !sm_is_inet(sk))
		return 0;
	e.header.kind = SM_EVENT_OWNER;
	e.header.ts_ns = bpf_ktime_get_ns();
	sm_read_sock_tuple(sk, &e);
	if (e.proto != SM_IPPROTO_TCP && e.proto != SM_IPPROTO_UDP)
		return 0;
	/* The stored cookie, not bpf_get_socket_cookie(): 6.18 marks sock->sk reached from an iterator's
	 * file as untrusted, and the helper refuses it ("R1 type=untrusted_ptr_"). 0 (no cookie assigned
	 * yet) means unknown to userspace; the tuple still names the socket. */
	e.cookie = sm_stored_cookie(sk);
	e.how = SM_HOW_EXISTING;
	e.id.pid = task->tgid;
	e.id.uid = task->cred->uid.val;
	e.id.start_ns = task->group_leader->start_boottime;
	BPF_CORE_READ_STR_INTO(&e.id.comm, task, group_leader, comm);
	bpf_seq_write(ctx->meta->seq, &e, sizeof(e));
	return 0;
}
