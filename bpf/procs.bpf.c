// SPDX-License-Identifier: GPL-2.0-only
/* Process exec/exit, so userspace reads exe/cmdline while a process lives and never gives a dead
 * process's identity to a new one with the same pid (start times differ). Stable tracepoints. */
#include "owners.bpf.h"

char LICENSE[] SEC("license") = "GPL";

static __always_inline void emit_process(__u32 kind, struct task_struct *task)
{
	struct sm_process_event *e = bpf_ringbuf_reserve(&sm_owner_events, sizeof(*e), 0);

	if (!e) {
		sm_owner_count(SM_OWNER_STAT_RINGBUF_FULL);
		return;
	}
	e->header.kind = kind;
	e->header.pad = 0;
	e->header.ts_ns = bpf_ktime_get_ns();
	e->id.pid = BPF_CORE_READ(task, tgid);
	e->id.uid = BPF_CORE_READ(task, cred, uid.val);
	e->id.start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	/* the leader's comm, as ps shows it: the last thread to exit may be a worker with its own name */
	BPF_CORE_READ_STR_INTO(&e->id.comm, task, group_leader, comm);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->pad = 0;
	/* Both tracepoints run in the task's own context (current == task), so the helper (tracing
	 * programs, since 4.18) names the task's cgroup; kept in the kernel because a short-lived process
	 * is often gone before the helper can read /proc/PID/cgroup. */
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->netns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	e->pad2 = 0;
	bpf_ringbuf_submit(e, 0);
}

/* sched_process_exit fires for every thread; only the last one ends the process. do_exit()
 * decrements signal->live before the tracepoint, so 0 means the whole group is gone. */
static __always_inline bool group_dead(struct task_struct *task)
{
	return BPF_CORE_READ(task, signal, live.counter) == 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(exec_tp_btf, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	emit_process(SM_EVENT_EXEC, task);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(exit_tp_btf, struct task_struct *task)
{
	if (group_dead(task))
		emit_process(SM_EVENT_EXIT, task);
	return 0;
}

SEC("tracepoint/sched/sched_process_exec")
int exec_tp(void *ctx)
{
	emit_process(SM_EVENT_EXEC, (struct task_struct *)bpf_get_current_task());
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int exit_tp(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();

	if (group_dead(task))
		emit_process(SM_EVENT_EXIT, task);
	return 0;
}
