/* Structs that cross the kernel/userspace boundary. TypeScript never restates them: the build
 * (scripts/gen-abi.mjs) generates native/generated/abi.ts from this header's BTF — every struct
 * sm_* and enum sm_* declared at the start of a line, and every integer SM_* #define. All fields are host byte order except addresses (network order, 16 bytes,
 * IPv4 in the first 4 bytes and the rest zero). Explicit padding keeps the layout identical for clang
 * -target bpf and for the TypeScript decoder. */
#ifndef SNITCHMAP_H
#define SNITCHMAP_H

#define SM_FAMILY_V4 4
#define SM_FAMILY_V6 6

/* Canonical orientation: local = this machine's end (egress source, ingress destination). */
struct sm_flow_key {
	__u32 ifindex;
	__u8 family;
	__u8 proto;
	__u16 local_port;
	__u16 remote_port;
	__u16 pad;
	__u8 local_addr[16];
	__u8 remote_addr[16];
}; /* 44 bytes */

#define SM_INITIATOR_LOCAL 1
#define SM_INITIATOR_REMOTE 2
/* In sm_flow_value.tcp_flags, above the TCP flag bits: a TCP segment with payload was seen. Set
 * once, by the first such segment, which also sends SM_EVENT_FLOW_DATA. */
#define SM_FLOW_PAYLOAD 0x10000

struct sm_flow_value {
	__u64 tx_bytes;
	__u64 rx_bytes;
	__u64 tx_packets;
	__u64 rx_packets;
	__u64 first_seen_ns; /* bpf_ktime_get_ns (CLOCK_MONOTONIC), stamped once on insert */
	__u32 tcp_flags;     /* union of flags seen, both directions; plus SM_FLOW_PAYLOAD */
	__u32 initiator;     /* SM_INITIATOR_*: direction of the first packet seen */
	__u64 cookie;        /* socket cookie of the local socket sending it (egress, full socket); 0 unknown */
	__u64 prev_cookie;   /* the socket it was taken over from (SM_EVENT_FLOW_REUSE), 0 if none */
}; /* 64 bytes */

/* Per-interface parse mode, chosen by userspace from /sys/class/net/X/type: it attaches
 * sm_tc_{ingress,egress} (Ethernet) or sm_tc3_{ingress,egress} (L3). */
#define SM_LINK_ETHERNET 0 /* 14-byte Ethernet header (also lo), VLAN tags parsed */
#define SM_LINK_NONE 1     /* L3 device: skb->data is the IP header (ipip, tun, wireguard, PPP) */

/* Per-CPU counters (index into the `stats` PERCPU_ARRAY). */
enum sm_stat {
	SM_STAT_RINGBUF_FULL = 0, /* bpf_ringbuf_reserve failed: an event was lost */
	SM_STAT_FLOWS_CREATED,    /* successful inserts; evicted = created - present - deleted by userspace */
	SM_STAT_INSERT_FAILED,    /* flow-table update failed (not EEXIST) */
	SM_STAT_PARSE_ERROR,      /* truncated or invalid header: counted, never dropped */
	SM_STAT_NOT_IP,           /* non-IP ethertype or protocol: ignored */
	SM_STAT_FRAGMENT,         /* non-first fragments, counted under the port-less key */
	SM_STAT_EXT_LIMIT,        /* IPv6 extension-header chain longer than SM_MAX_EXT_HEADERS */
	SM_STAT_DNS_COPIED,
	SM_STAT_PACKETS,          /* every packet counted: userspace reads the table only when this moves */
	SM_STAT_REUSED,           /* a new socket took over a flow's 5-tuple (SM_EVENT_FLOW_REUSE sent) */
	SM_STAT_COUNT,
};

#define SM_MAX_EXT_HEADERS 6
#define SM_DNS_MAX 512

enum sm_event_kind {
	SM_EVENT_FLOW_OPEN = 1,
	SM_EVENT_FLOW_END = 2,
	SM_EVENT_DNS = 3,
	SM_EVENT_FLOW_REUSE = 4,
	SM_EVENT_FLOW_DATA = 5, /* a TCP flow's first payload: its row is worth reading now */
	SM_EVENT_TRAFFIC = 6,   /* the first packet after userspace armed wake_on_traffic (idle) */
};

#define SM_END_FIN 1
#define SM_END_RST 2

#define SM_DIR_TX 1
#define SM_DIR_RX 2

struct sm_event_header {
	__u32 kind; /* sm_event_kind */
	__u32 pad;
	__u64 ts_ns; /* bpf_ktime_get_ns */
}; /* 16 bytes */

struct sm_flow_event {
	struct sm_event_header header;
	struct sm_flow_key key;
	__u32 reason; /* SM_END_* for FLOW_END, 0 for FLOW_OPEN */
}; /* 64 bytes */

struct sm_dns_event {
	struct sm_event_header header;
	struct sm_flow_key key;
	__u16 direction;   /* SM_DIR_* */
	__u16 length;      /* bytes valid in payload */
	__u16 truncated;   /* 1 when the message was longer than the copy bound */
	__u16 pad;
	__u8 payload[SM_DNS_MAX];
}; /* 584 bytes: 580 of fields, padded to the header's 8-byte alignment */

/* A new socket on an old 5-tuple (port reuse): the old flow's final row, sent before the row is
 * restarted for the new socket, so each socket keeps its own bytes. */
struct sm_flow_reuse_event {
	struct sm_event_header header;
	struct sm_flow_key key;
	__u32 pad;
	struct sm_flow_value old;
}; /* 128 bytes */

/* ICMP echo flows: the echo identifier is the local "port" (ping sockets: the socket's own port),
 * the remote port is 0. Other ICMP messages carry no ports. */
#define SM_IPPROTO_ICMP 1
#define SM_IPPROTO_ICMPV6 58

/* ---- owners/process section (issue 3) below this line ---- */

/* Socket owners (bpf/owners_*.bpf.c, decoded by native/owners-decode.ts). Owner records carry the raw
 * socket addresses: AF_INET6 sockets may hold IPv4-mapped addresses, which userspace normalizes. */
enum sm_owner_how {
	SM_HOW_CONNECT = 1,
	SM_HOW_ACCEPT = 2,
	SM_HOW_UDP_SEND = 3,
	SM_HOW_UDP_RECV = 4,
	SM_HOW_LISTEN = 5,
	SM_HOW_BIND = 6,
	SM_HOW_IO = 7,
	SM_HOW_EXISTING = 8,
	SM_HOW_CREATE = 9,   /* ICMP (ping) and raw sockets, at socket(): joined to flows by cookie only */
};

/* Who a socket belongs to: identity taken in process context at hook time. */
struct sm_owner_id {
	__u32 pid;      /* TGID */
	__u32 uid;
	__u64 start_ns; /* group leader's start_boottime; 0 when the hook cannot read the task */
	char comm[16];
}; /* 32 bytes */

/* Value of the `sm_sk_owner` sk_storage map: what the owner hooks took and already reported for a
 * socket (flows join owners by cookie in userspace, docs/kernel-notes.md §3.2). */
struct sm_sk_owner {
	struct sm_owner_id id;
	__u32 how;     /* sm_owner_how */
	__u32 emitted; /* SM_EMITTED_* bits: which capability already sent a record for this socket */
}; /* 40 bytes */

#define SM_EMITTED_CONNECT 1
#define SM_EMITTED_ACCEPT 2
#define SM_EMITTED_UDP 4

enum sm_owner_event_kind {
	SM_EVENT_OWNER = 16,
	SM_EVENT_SOCK_CLOSE = 17,
	SM_EVENT_EXEC = 18,
	SM_EVENT_EXIT = 19,
};

#define SM_OWNER_REMOTE_KNOWN 1 /* remote_addr/remote_port valid (connected socket) */

struct sm_owner_event {
	struct sm_event_header header; /* kind SM_EVENT_OWNER or SM_EVENT_SOCK_CLOSE */
	__u64 cookie;                  /* socket cookie; 0 when the hook cannot read it */
	struct sm_owner_id id;         /* zero for SM_EVENT_SOCK_CLOSE */
	__u8 family;                   /* SM_FAMILY_V4 / SM_FAMILY_V6, as the socket has it */
	__u8 proto;
	__u8 how;                      /* sm_owner_how */
	__u8 flags;                    /* SM_OWNER_* */
	__u16 local_port;
	__u16 remote_port;
	__u8 local_addr[16];
	__u8 remote_addr[16];
}; /* 96 bytes */

struct sm_process_event {
	struct sm_event_header header; /* kind SM_EVENT_EXEC or SM_EVENT_EXIT */
	struct sm_owner_id id;
	__u32 ppid;
	__u32 pad;
	/* Appended (issue 14); decoders accept the 56-byte form without them. */
	__u64 cgroup_id; /* cgroup v2 id of the task (= inode of its cgroupfs directory) */
	__u32 netns;     /* inode of the task's network namespace; 0 when unreadable */
	__u32 pad2;
}; /* 72 bytes */

/* Per-CPU counters of the owner objects (index into `sm_owner_stats`). */
enum sm_owner_stat {
	SM_OWNER_STAT_RINGBUF_FULL = 0,
	SM_OWNER_STAT_STORAGE_FULL,    /* bpf_sk_storage_get(F_CREATE) failed */
	SM_OWNER_STAT_PENDING_FULL,    /* classic-tracepoint connect table full */
	SM_OWNER_STAT_COUNT,
};

/* The sizes userspace was written for: a size change fails the build here, and the regenerated
 * native/generated/abi.ts carries the new layout to the decoders (native/flows-layout.ts,
 * native/owners-decode.ts), whose record-length checks follow it. */
_Static_assert(sizeof(struct sm_flow_key) == 44, "sm_flow_key");
_Static_assert(sizeof(struct sm_flow_value) == 64, "sm_flow_value");
_Static_assert(sizeof(struct sm_event_header) == 16, "sm_event_header");
_Static_assert(sizeof(struct sm_flow_event) == 64, "sm_flow_event");
_Static_assert(sizeof(struct sm_dns_event) == 584, "sm_dns_event");
_Static_assert(sizeof(struct sm_flow_reuse_event) == 128, "sm_flow_reuse_event");
_Static_assert(sizeof(struct sm_owner_id) == 32, "sm_owner_id");
_Static_assert(sizeof(struct sm_sk_owner) == 40, "sm_sk_owner");
_Static_assert(sizeof(struct sm_owner_event) == 96, "sm_owner_event");
_Static_assert(sizeof(struct sm_process_event) == 72, "sm_process_event");

#endif
