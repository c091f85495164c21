// SPDX-License-Identifier: GPL-2.0-only
/* TCP accept → owner. The handshake of an accepted socket runs in softirq (or, on loopback, in the
 * client's task), so the owner is taken only on the accept path or at the socket's first I/O. */
#include "owners.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* 6.10 changed inet_csk_accept(sk, flags, err, kern) to inet_csk_accept(sk, struct proto_accept_arg *)
 * ("have do_accept() take a struct proto_accept_arg", Jens Axboe): the return value moves from ctx[4]
 * to ctx[2]. The verifier wants a constant offset on every ctx load; written as C, clang folds the two
 * branches into one load through ctx plus a selected offset, which every kernel refuses ("dereference
 * of modified ctx ptr R1 off=32 disallowed", seen on 5.10, 6.1 and 6.12). Inline asm keeps two loads
 * with fixed offsets; the CO-RE constant leaves the other one dead, and the verifier never walks it
 * (before 6.10 ctx[4] exists, from 6.10 only ctx[2] does). */
SEC("fexit/inet_csk_accept")
int accept_fexit(__u64 *ctx)
{
	struct sm_owner_id id = {};
	struct sock *sk;

	if (bpf_core_type_exists(struct proto_accept_arg))
		asm volatile("%[sk] = *(u64 *)(%[ctx] + 16)" : [sk] "=r"(sk) : [ctx] "r"(ctx));
	else
		asm volatile("%[sk] = *(u64 *)(%[ctx] + 32)" : [sk] "=r"(sk) : [ctx] "r"(ctx));
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

/* Listening sockets by (netns, port), for accepted sockets that are still silent: listen() runs in
 * the listening task, the child's SYN_RECV→ESTABLISHED does not (softirq, or the client's task on
 * loopback), so the child inherits the listener's identity. With pre-forked servers the listener's
 * owner may not be the one that accepts: the first I/O then re-attributes the socket. */
struct listen_key {
	__u32 netns;
	__u16 port;
	__u16 pad;
};

struct listen_owner {
	struct sm_owner_id id;
	__u64 sk;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct listen_key);
	__type(value, struct listen_owner);
} sm_listeners SEC(".maps");

static __always_inline void listen_key_of(struct sock *sk, struct listen_key *key)
{
	key->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	key->port = sk->__sk_common.skc_num;
	key->pad = 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(accept_state_tp_btf, struct sock *sk, int oldstate, int newstate)
{
	struct listen_key key;
	struct listen_owner *listener;
	struct sm_sk_owner *owner;

	if (sk->sk_protocol != SM_IPPROTO_TCP)
		return 0;
	listen_key_of(sk, &key);
	if (newstate == TCP_LISTEN) {
		struct listen_owner value = { .sk = (__u64)sk };

		sm_current_id(&value.id);
		bpf_map_update_elem(&sm_listeners, &key, &value, BPF_ANY);
		return 0;
	}
	if (oldstate == TCP_LISTEN) {
		listener = bpf_map_lookup_elem(&sm_listeners, &key);
		if (listener && listener->sk == (__u64)sk)
			bpf_map_delete_elem(&sm_listeners, &key);
		return 0;
	}
	if (oldstate != TCP_SYN_RECV || newstate != TCP_ESTABLISHED)
		return 0;
	listener = bpf_map_lookup_elem(&sm_listeners, &key);
	if (!listener)
		return 0;
	owner = bpf_sk_storage_get(&sm_sk_owner, sk, 0, BPF_SK_STORAGE_GET_F_CREATE);
	if (!owner) {
		sm_owner_count(SM_OWNER_STAT_STORAGE_FULL);
		return 0;
	}
	if (owner->emitted & SM_EMITTED_ACCEPT)
		return 0;
	owner->id = listener->id;
	owner->how = SM_HOW_LISTEN;
	owner->emitted |= SM_EMITTED_ACCEPT;
	sm_emit_owner(sk, bpf_get_socket_cookie(sk), &owner->id, SM_HOW_LISTEN, true);
	return 0;
}

/* First I/O on a TCP socket nobody owns yet (an accepted one, or a connect the connect chain did not
 * stamp), or owned only by the listener heuristic from another process: sock_send_length and
 * sock_recv_length (since 6.3) fire in the caller's task for every send and receive path, io_uring
 * included, and cost nothing for other syscalls. */
static __always_inline int own_on_first_io(struct sock *sk)
{
	struct sm_sk_owner *owner;

	if (sk->sk_protocol != SM_IPPROTO_TCP || !sm_is_inet(sk))
		return 0;
	owner = bpf_sk_storage_get(&sm_sk_owner, sk, 0, 0);
	if (owner && (owner->how != SM_HOW_LISTEN || owner->id.pid == bpf_get_current_pid_tgid() >> 32))
		return 0;
	if (!owner)
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
 * (docs/kernel-notes.md §5.2): the chain uses it only when nothing cheaper attaches. */
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
