// SPDX-License-Identifier: GPL-2.0-only
/* Baseline for bench/tc-per-packet.mjs: a TC program that does nothing, so BPF_PROG_TEST_RUN's own
 * loop cost can be subtracted from the flow program's. Never attached by snitchmap. */
#include "vmlinux/x86/vmlinux.h"
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tc")
int sm_tc_empty(struct __sk_buff *skb)
{
	return -1; /* TC_ACT_UNSPEC */
}
