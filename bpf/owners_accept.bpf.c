// SPDX-License-Identifier: GPL-2.0-only
/* TCP accept → owner. The handshake of an accepted socket runs in softirq (or, on loopback, in the
 * client's task), so the owner is taken only on the accept path or at the socket's first I/O. */
#include "owners.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* 6.10 changed inet_csk_accept(sk, flags, err, kern) to inet_csk_accept(sk, struct proto_accept_arg *)
 * ("have do_accept() take a struct proto_accept_arg", Jens Axboe): the return value moves from ctx[4]
 * to ctx[2]. Each branch keeps a constant ctx offset, as the verifier requires. */
SEC("fexit/inet_csk_accept")
int accept_fexit(__u64 *ctx)
{
	struct sm_owner_id id = {};
	struct sock *sk;

	if (bpf_core_type_exists(struct proto_accept_arg))
		sk = (struct sock *)ctx[2];
	else
		sk = (struct sock *)ctx[4];
	if (!sk)
		return 0;
	sm_current_id(&id);
	sm_emit_owner(sk, sm_stored_cookie(sk), &id, SM_HOW_ACCEPT, true);
	return 0;
}

/* any kernel with CONFIG_KPROBES; uses only the return value, so immune to the 6.10 change. */
SEC("kretprobe/inet_csk_accept")
int BPF_KRETPROBE(accept_kretprobe, struct sock *sk)
{
	struct sm_owner_id id = {};

	if (!sk)
		return 0;
	sm_current_id(&id);
	sm_emit_owner(sk, sm_stored_cookie(sk), &id, SM_HOW_ACCEPT, true);
	return 0;
}

/* First I/O on a TCP socket nobody owns yet (an accepted one, or a connect the connect chain did not
 * stamp): sock_send_length/sock_recv_length (since 6.3) fire in the caller's task for every send and
 * receive path, io_uring included, and cost nothing for other syscalls. */
static __always_inline int own_on_first_io(struct sock *sk)
{
	struct sm_sk_owner *owner;

	if (sk->sk_protocol != SM_IPPROTO_TCP || !sm_is_inet(sk))
		return 0;
	owner = bpf_sk_storage_get(&sm_sk_owner, sk, 0, 0);
	if (owner)
		return 0;
	owner = bpf_sk_storage_get(&sm_sk_owner, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!owner) {
		sm_owner_count(SM_OWNER_STAT_STORAGE_FULL);
		return 0;
	}
	sm_current_id(&owner->id);
	owner->how = SM_HOW_IO;
	owner->emitted |= SM_EMITTED_ACCEPT;
	sm_emit_owner(sk, bpf_get_socket_cookie(sk), &owner->id, SM_HOW_IO, true);
	return 0;
}

SEC("tp_btf/sock_recv_length")
int BPF_PROG(accept_recv_tp_btf, struct sock *sk, int ret, int flags)
{
	return own_on_first_io(sk);
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(accept_send_tp_btf, struct sock *sk, int ret, int flags)
{
	return own_on_first_io(sk);
}

/* Syscall exit + fd walk (Falco-style). Taxes every syscall on the machine while attached
 * (kernel-notes §6.3): the chain uses it only when nothing cheaper attaches. */
static __always_inline int own_accepted_fd(long fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct sm_owner_id id = {};
	struct file **fds;
	struct file *file;
	struct socket *sock;
	struct sock *sk;
	__u16 mode;

	if (fd < 0 || !fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), &fds[fd]) || !file)
		return 0;
	mode = BPF_CORE_READ(file, f_inode, i_mode);
	if ((mode & 0170000) != 0140000) /* S_ISSOCK */
		return 0;
	sock = BPF_CORE_READ(file, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || !sm_is_inet(sk))
		return 0;
	sm_current_id(&id);
	sm_emit_owner(sk, sm_stored_cookie(sk), &id, SM_HOW_ACCEPT, true);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_accept4")
int accept_sys_exit4(struct trace_event_raw_sys_exit *ctx)
{
	return own_accepted_fd(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_accept")
int accept_sys_exit(struct trace_event_raw_sys_exit *ctx)
{
	return own_accepted_fd(ctx->ret);
}
