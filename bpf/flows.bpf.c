// SPDX-License-Identifier: GPL-2.0-only
/* TC flow accounting: one program for ingress and egress on every interface (tcx or clsact).
 * Counts bytes/packets per canonical flow in an LRU hash and sends only flow-open, flow-end and
 * bounded DNS copies through the ring buffer. It is an observer: every path returns TC_ACT_UNSPEC
 * (== TCX_NEXT), so a parse failure is counted, never dropped. */
#include "vmlinux/x86/vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "snitchmap.h"
#include "flows_parse.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by userspace before load (rodata). */
const volatile __u32 dns_capture_bytes = SM_DNS_MAX;
/* Optional features (native/flows-load.ts): off, the verifier never walks their code, so a kernel
 * that refuses one loses only that feature. */
const volatile bool feature_dns = true;
/* Socket identity: the sending socket's cookie on each flow, and a new flow when another socket
 * takes over the 5-tuple (port reuse). */
const volatile bool feature_socket = true;

/* Set to 1 by userspace when it stops checking an idle table; the first packet after clears it and
 * sends SM_EVENT_TRAFFIC, so an idle helper sleeps with no timer (a counter check every 2 s was
 * half its idle CPU). One load per packet while traffic flows. CPUs racing on the clear can send
 * a second record, which costs userspace one row read. The only .bss variable: userspace writes
 * the section whole. */
volatile __u32 wake_on_traffic = 0;

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536); /* resized at load from options.flowTableSize */
	__type(key, struct sm_flow_key);
	__type(value, struct sm_flow_value);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} flow_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SM_STAT_COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void stat_add(__u32 index)
{
	__u64 *counter = bpf_map_lookup_elem(&stats, &index);

	if (counter)
		*counter += 1; /* per-CPU slot: no atomic needed */
}

/* Flag 0 is the ring buffer's adaptive wakeup: userspace is woken only when it had read everything
 * before this record, so a storm of opens costs one wakeup per userspace drain, and nothing waits
 * for a poll timer (delivery is event-driven; an idle machine wakes nobody). */
static __always_inline void ringbuf_submit_batched(void *record)
{
	bpf_ringbuf_submit(record, 0);
}

static __always_inline void emit_flow_event(const struct sm_flow_key *key, __u32 kind, __u32 reason, __u64 now)
{
	struct sm_flow_event *event = bpf_ringbuf_reserve(&flow_events, sizeof(*event), 0);

	if (!event) {
		stat_add(SM_STAT_RINGBUF_FULL);
		return;
	}
	event->header.kind = kind;
	event->header.pad = 0;
	event->header.ts_ns = now;
	__builtin_memcpy(&event->key, key, sizeof(*key));
	event->reason = reason;
	ringbuf_submit_batched(event);
}

static __always_inline bool is_dns_port(__u16 port)
{
	return port == 53 || port == 5353 || port == 5355;
}

/* TCP DNS messages carry a 2-byte length prefix (RFC 1035 4.2.2); drop it when the segment starts
 * with one that fits, so userspace receives a bare DNS message. A message longer than its first
 * segment is marked truncated; its later segments (no prefix) arrive as separate copies that will
 * not parse, which userspace counts. */
static __always_inline void emit_dns(struct __sk_buff *skb, const struct sm_packet *pkt, bool egress)
{
	__u32 offset = pkt->payload_offset;
	__u32 length = pkt->payload_length;
	bool continues = false; /* the message goes on in later segments */
	struct sm_dns_event *event;

	if (pkt->key.proto == IPPROTO_TCP && length >= 2) {
		__u16 prefix = 0;

		if (bpf_skb_load_bytes(skb, offset, &prefix, 2) == 0 && bpf_ntohs(prefix) >= length - 2) {
			continues = bpf_ntohs(prefix) > length - 2;
			offset += 2;
			length -= 2;
		}
	}
	if (length == 0)
		return;
	event = bpf_ringbuf_reserve(&flow_events, sizeof(*event), 0);
	if (!event) {
		stat_add(SM_STAT_RINGBUF_FULL);
		return;
	}
	__u32 copy = length;

	if (copy > dns_capture_bytes)
		copy = dns_capture_bytes;
	if (copy > SM_DNS_MAX)
		copy = SM_DNS_MAX;
	/* copy is in [1, SM_DNS_MAX] here (length > 0), but 5.10 and 6.1 cannot prove the lower bound:
	 * clang turns `copy >= 1` into `copy != 0`, from which those verifiers learn nothing ("R3 min
	 * value is outside of the allowed memory range"). Rebuilding it as ((copy - 1) & (MAX - 1)) + 1
	 * changes no value in range and gives every verifier [1, SM_DNS_MAX] by arithmetic alone. */
	_Static_assert((SM_DNS_MAX & (SM_DNS_MAX - 1)) == 0, "SM_DNS_MAX must be a power of two");
	__u64 bounded = (((__u64)copy - 1) & (SM_DNS_MAX - 1)) + 1;

	if (bpf_skb_load_bytes(skb, offset, event->payload, bounded) != 0) {
		bpf_ringbuf_discard(event, 0);
		stat_add(SM_STAT_PARSE_ERROR);
		return;
	}
	event->header.kind = SM_EVENT_DNS;
	event->header.pad = 0;
	event->header.ts_ns = bpf_ktime_get_ns();
	__builtin_memcpy(&event->key, &pkt->key, sizeof(pkt->key));
	event->direction = egress ? SM_DIR_TX : SM_DIR_RX;
	event->length = bounded;
	event->truncated = copy < length || continues;
	event->pad = 0;
	stat_add(SM_STAT_DNS_COPIED);
	ringbuf_submit_batched(event);
}

/* The packet's TCP flags, and SM_FLOW_PAYLOAD when it is a TCP segment with payload: the first
 * one after the handshake is the moment a new connection's first bytes exist, and the table read
 * (every 250 ms while bytes move) put them on the stream up to 250 ms late (p99 246 ms measured). */
static __always_inline __u32 flow_flags(const struct sm_packet *pkt)
{
	return pkt->tcp_flags | (pkt->has_payload && pkt->key.proto == IPPROTO_TCP ? SM_FLOW_PAYLOAD : 0);
}

static __always_inline void count_existing(struct sm_flow_value *value, const struct sm_packet *pkt, bool egress)
{
	if (egress) {
		__sync_fetch_and_add(&value->tx_bytes, pkt->bytes);
		__sync_fetch_and_add(&value->tx_packets, pkt->segments);
	} else {
		__sync_fetch_and_add(&value->rx_bytes, pkt->bytes);
		__sync_fetch_and_add(&value->rx_packets, pkt->segments);
	}
	/* Only write when a new flag appears, so established flows never dirty the cache line for it.
	 * A plain read-modify-write, not __sync_fetch_and_or: atomic fetch operations need 5.12 and
	 * 5.10's verifier refuses the whole object (EINVAL). Two CPUs racing on one flow's flags (rare:
	 * a flow's packets stay on one queue) can at worst send a second end record, which userspace
	 * ignores, or lose a flag bit that a later packet sets again. */
	__u32 before = value->tcp_flags;
	__u32 flags = flow_flags(pkt);

	if (flags & ~before) {
		__u32 ending = flags & (SM_TCP_FIN | SM_TCP_RST);

		value->tcp_flags = before | flags;
		/* An end record reads the row too, so a first payload that ends the flow sends only that. */
		if (ending && !(before & (SM_TCP_FIN | SM_TCP_RST)))
			emit_flow_event(&pkt->key, SM_EVENT_FLOW_END, ending & SM_TCP_RST ? SM_END_RST : SM_END_FIN,
					bpf_ktime_get_ns());
		else if ((flags & ~before) & SM_FLOW_PAYLOAD)
			emit_flow_event(&pkt->key, SM_EVENT_FLOW_DATA, 0, bpf_ktime_get_ns());
	}
}

/* The local socket that sent this packet, by cookie; 0 when no socket of the flow's own sent it.
 * Request and timewait mini-sockets (SYN-ACKs, late ACKs) are not full sockets. The kernel's control
 * sockets are full sockets, one per CPU, bound to no port: TCP resets and timewait ACKs, ICMP echo
 * replies (as is BPF_PROG_TEST_RUN's socket). So a socket counts only when bound to the flow's local
 * port (a ping socket's port is its echo identifier); a raw ICMP socket is bound to the protocol
 * number instead, and counts for echo requests, which the kernel's ICMP socket never sends.
 * Egress only: on ingress TC runs before the socket lookup. */
static __always_inline __u64 sending_socket(struct __sk_buff *skb, const struct sm_packet *pkt, bool egress)
{
	struct bpf_sock *sk;

	if (!feature_socket || !egress)
		return 0;
	sk = skb->sk;
	if (!sk)
		return 0;
	sk = bpf_sk_fullsock(sk);
	if (!sk)
		return 0;
	if (sk->src_port != pkt->key.local_port && !pkt->echo_request)
		return 0;
	return bpf_get_socket_cookie(skb);
}

/* Another socket now owns this 5-tuple: the previous one closed and a new one bound the same port
 * (UDP), or a TCP connection was reset and the port reused. Send the old row as it ends, then
 * restart the row for the new socket. Two live sockets sharing a tuple (SO_REUSEPORT) would
 * alternate: a packet from the socket the flow was taken from does not take it back. */
static __always_inline bool taken_over(const struct sm_flow_value *value, __u64 cookie, const struct sm_packet *pkt)
{
	if (cookie && value->cookie && cookie != value->cookie && cookie != value->prev_cookie)
		return true;
	/* A bare SYN after FIN/RST starts a new connection on the tuple, whichever side sends it. */
	return (pkt->tcp_flags & (SM_TCP_SYN | SM_TCP_ACK)) == SM_TCP_SYN &&
	       (value->tcp_flags & (SM_TCP_FIN | SM_TCP_RST)) != 0;
}

static __always_inline void fill_value(struct sm_flow_value *value, const struct sm_packet *pkt, bool egress,
				       __u64 now, __u64 cookie, __u64 prev_cookie)
{
	value->tx_bytes = egress ? pkt->bytes : 0;
	value->rx_bytes = egress ? 0 : pkt->bytes;
	value->tx_packets = egress ? pkt->segments : 0;
	value->rx_packets = egress ? 0 : pkt->segments;
	value->first_seen_ns = now;
	value->tcp_flags = flow_flags(pkt);
	value->initiator = egress ? SM_INITIATOR_LOCAL : SM_INITIATOR_REMOTE;
	value->cookie = cookie;
	value->prev_cookie = prev_cookie;
}

static __always_inline void take_over(struct sm_flow_value *value, const struct sm_packet *pkt, bool egress, __u64 cookie)
{
	__u64 now = bpf_ktime_get_ns();
	struct sm_flow_reuse_event *event = bpf_ringbuf_reserve(&flow_events, sizeof(*event), 0);
	struct sm_flow_value fresh;

	if (event) {
		event->header.kind = SM_EVENT_FLOW_REUSE;
		event->header.pad = 0;
		event->header.ts_ns = now;
		__builtin_memcpy(&event->key, &pkt->key, sizeof(pkt->key));
		event->pad = 0;
		__builtin_memcpy(&event->old, value, sizeof(*value));
		ringbuf_submit_batched(event);
	} else {
		stat_add(SM_STAT_RINGBUF_FULL);
	}
	fill_value(&fresh, pkt, egress, now, cookie, value->cookie);
	/* Replaces the element (a CPU still holding the old one adds its packet there: within one
	 * packet of exact at the switch). */
	if (bpf_map_update_elem(&flows, &pkt->key, &fresh, BPF_ANY)) {
		stat_add(SM_STAT_INSERT_FAILED);
		return;
	}
	stat_add(SM_STAT_REUSED);
	emit_flow_event(&pkt->key, SM_EVENT_FLOW_OPEN, 0, now);
}

static __always_inline void insert_flow(const struct sm_packet *pkt, bool egress, __u64 cookie)
{
	__u64 now = bpf_ktime_get_ns();
	struct sm_flow_value value = {
		.tx_bytes = egress ? pkt->bytes : 0,
		.rx_bytes = egress ? 0 : pkt->bytes,
		.tx_packets = egress ? pkt->segments : 0,
		.rx_packets = egress ? 0 : pkt->segments,
		.first_seen_ns = now,
		.tcp_flags = flow_flags(pkt),
		.initiator = egress ? SM_INITIATOR_LOCAL : SM_INITIATOR_REMOTE,
		.cookie = cookie,
	};
	long err = bpf_map_update_elem(&flows, &pkt->key, &value, BPF_NOEXIST);

	if (err == -17 /* EEXIST: another CPU inserted it first */) {
		struct sm_flow_value *existing = bpf_map_lookup_elem(&flows, &pkt->key);

		if (existing)
			count_existing(existing, pkt, egress);
		return;
	}
	if (err) {
		stat_add(SM_STAT_INSERT_FAILED);
		return;
	}
	stat_add(SM_STAT_FLOWS_CREATED);
	emit_flow_event(&pkt->key, SM_EVENT_FLOW_OPEN, 0, now);
	if (pkt->tcp_flags & (SM_TCP_FIN | SM_TCP_RST))
		emit_flow_event(&pkt->key, SM_EVENT_FLOW_END,
				pkt->tcp_flags & SM_TCP_RST ? SM_END_RST : SM_END_FIN, now);
}

static __always_inline int account(struct __sk_buff *skb, __u32 link, bool egress)
{
	struct sm_packet pkt;
	int verdict = sm_parse(skb, link, egress, &pkt);

	if (verdict != SM_PARSE_OK) {
		stat_add(verdict == SM_PARSE_NOT_IP ? SM_STAT_NOT_IP : SM_STAT_PARSE_ERROR);
		return TC_ACT_UNSPEC;
	}
	if (pkt.fragment)
		stat_add(SM_STAT_FRAGMENT);
	if (pkt.ext_limit)
		stat_add(SM_STAT_EXT_LIMIT);
	if (pkt.l4_truncated)
		stat_add(SM_STAT_PARSE_ERROR);

	stat_add(SM_STAT_PACKETS);
	if (wake_on_traffic) {
		wake_on_traffic = 0;
		emit_flow_event(&pkt.key, SM_EVENT_TRAFFIC, 0, bpf_ktime_get_ns());
	}
	__u64 cookie = sending_socket(skb, &pkt, egress);
	struct sm_flow_value *value = bpf_map_lookup_elem(&flows, &pkt.key);

	if (!value) {
		insert_flow(&pkt, egress, cookie);
	} else if (feature_socket && taken_over(value, cookie, &pkt)) {
		take_over(value, &pkt, egress, cookie);
	} else {
		/* A flow first seen on ingress (an inbound packet) learns its socket at the first reply. */
		if (cookie && !value->cookie)
			value->cookie = cookie;
		count_existing(value, &pkt, egress);
	}

	if (feature_dns && pkt.has_payload && (is_dns_port(pkt.key.remote_port) || is_dns_port(pkt.key.local_port)))
		emit_dns(skb, &pkt, egress);
	return TC_ACT_UNSPEC;
}

/* Four entry points instead of a per-interface config lookup: the link mode is a compile-time
 * constant in each, so the Ethernet/L3 choice costs nothing per packet. Userspace attaches the pair
 * that matches /sys/class/net/X/type. Names stay within BPF_OBJ_NAME_LEN (15 characters). */
SEC("tc")
int sm_tc_ingress(struct __sk_buff *skb)
{
	return account(skb, SM_LINK_ETHERNET, false);
}

SEC("tc")
int sm_tc_egress(struct __sk_buff *skb)
{
	return account(skb, SM_LINK_ETHERNET, true);
}

SEC("tc")
int sm_tc3_ingress(struct __sk_buff *skb)
{
	return account(skb, SM_LINK_NONE, false);
}

SEC("tc")
int sm_tc3_egress(struct __sk_buff *skb)
{
	return account(skb, SM_LINK_NONE, true);
}
