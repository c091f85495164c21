/* Packet parser for the TC flow program. Reads headers with bpf_skb_load_bytes: it works on
 * non-linear skbs without bpf_skb_pull_data (which would reallocate someone else's packet) and keeps
 * variable offsets (IHL, extension headers) simple for the verifier, at ~20 ns/packet more than
 * direct access [docs/kernel-notes.md §4.2]. Every failure is a verdict, never a drop. */
#ifndef SNITCHMAP_FLOWS_PARSE_H
#define SNITCHMAP_FLOWS_PARSE_H

#define TC_ACT_UNSPEC (-1)
#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define IPPROTO_HOPOPTS 0
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_ROUTING 43
#define IPPROTO_FRAGMENT 44
#define IPPROTO_AH 51
#define IPPROTO_DSTOPTS 60

#define SM_TCP_FIN 0x01
#define SM_TCP_RST 0x04
#define SM_TCP_SYN 0x02
#define SM_TCP_ACK 0x10

enum sm_parse_verdict {
	SM_PARSE_OK = 0,
	SM_PARSE_NOT_IP,
	SM_PARSE_TRUNCATED,
	SM_PARSE_INVALID,
};

struct sm_packet {
	struct sm_flow_key key;
	__u32 segments;
	__u32 tcp_flags;
	__u64 bytes;
	__u32 l3_offset;
	__u32 l3_end; /* end of the IP datagram (excludes Ethernet padding) */
	__u32 l4_offset;
	__u32 payload_offset;
	__u32 payload_length;
	bool fragment;
	bool ext_limit;
	bool has_payload;
	bool l4_truncated;
	bool echo_request; /* ICMP/ICMPv6 echo request */
};

static __always_inline void sm_orient(struct sm_packet *pkt, const void *src, const void *dst, bool egress)
{
	__builtin_memcpy(pkt->key.local_addr, egress ? src : dst, 16);
	__builtin_memcpy(pkt->key.remote_addr, egress ? dst : src, 16);
}

/* Ethernet, 802.1Q and 802.1ad (QinQ: up to two tags). With VLAN offload the tag is in skb->vlan_tci
 * and the frame already shows the inner ethertype. */
static __always_inline int sm_parse_l2(struct __sk_buff *skb, __u32 link, __u16 *protocol, __u32 *offset)
{
	if (link == SM_LINK_NONE) {
		*protocol = bpf_ntohs(skb->protocol);
		*offset = 0;
		return SM_PARSE_OK;
	}
	__u16 ethertype;

	if (bpf_skb_load_bytes(skb, 12, &ethertype, 2))
		return SM_PARSE_TRUNCATED;
	*protocol = bpf_ntohs(ethertype);
	*offset = 14;
#pragma unroll
	for (int tag = 0; tag < 2; tag++) {
		if (*protocol != ETH_P_8021Q && *protocol != ETH_P_8021AD)
			break;
		if (bpf_skb_load_bytes(skb, *offset + 2, &ethertype, 2))
			return SM_PARSE_TRUNCATED;
		*protocol = bpf_ntohs(ethertype);
		*offset += 4;
	}
	return SM_PARSE_OK;
}

static __always_inline int sm_parse_ipv4(struct __sk_buff *skb, struct sm_packet *pkt, bool egress, __u8 *proto)
{
	struct iphdr ip;
	__u8 addresses[2][16] = {};

	if (bpf_skb_load_bytes(skb, pkt->l3_offset, &ip, sizeof(ip)))
		return SM_PARSE_TRUNCATED;
	if (ip.version != 4 || ip.ihl < 5)
		return SM_PARSE_INVALID;
	__u32 total = bpf_ntohs(ip.tot_len);

	if (total >= ip.ihl * 4 && pkt->l3_offset + total <= skb->len)
		pkt->l3_end = pkt->l3_offset + total;
	pkt->key.family = SM_FAMILY_V4;
	*proto = ip.protocol;
	pkt->l4_offset = pkt->l3_offset + ip.ihl * 4;
	pkt->fragment = (bpf_ntohs(ip.frag_off) & 0x1fff) != 0;
	__builtin_memcpy(addresses[0], &ip.saddr, 4);
	__builtin_memcpy(addresses[1], &ip.daddr, 4);
	sm_orient(pkt, addresses[0], addresses[1], egress);
	return SM_PARSE_OK;
}

static __always_inline bool sm_is_v4_mapped(const __u8 *addr)
{
	const __u32 *words = (const __u32 *)addr;

	return words[0] == 0 && words[1] == 0 && words[2] == bpf_htonl(0xffff);
}

/* Extension headers: sizes per RFC 8200 (HOP/ROUTING/DEST (len+1)*8, AH (len+2)*4, FRAGMENT 8).
 * The L4 header exists only in the first fragment. Longer chains are counted port-less. */
static __always_inline int sm_parse_ipv6(struct __sk_buff *skb, struct sm_packet *pkt, bool egress, __u8 *proto)
{
	struct ipv6hdr ip;

	if (bpf_skb_load_bytes(skb, pkt->l3_offset, &ip, sizeof(ip)))
		return SM_PARSE_TRUNCATED;
	if (ip.version != 6)
		return SM_PARSE_INVALID;
	__u32 total = 40 + bpf_ntohs(ip.payload_len);

	if (pkt->l3_offset + total <= skb->len && ip.payload_len)
		pkt->l3_end = pkt->l3_offset + total;
	const __u8 *src = (const __u8 *)&ip.saddr;
	const __u8 *dst = (const __u8 *)&ip.daddr;

	if (sm_is_v4_mapped(src) && sm_is_v4_mapped(dst)) {
		__u8 addresses[2][16] = {};

		__builtin_memcpy(addresses[0], src + 12, 4);
		__builtin_memcpy(addresses[1], dst + 12, 4);
		pkt->key.family = SM_FAMILY_V4;
		sm_orient(pkt, addresses[0], addresses[1], egress);
	} else {
		pkt->key.family = SM_FAMILY_V6;
		sm_orient(pkt, src, dst, egress);
	}
	__u8 next = ip.nexthdr;
	__u32 offset = pkt->l3_offset + 40;

#pragma unroll
	for (int i = 0; i < SM_MAX_EXT_HEADERS; i++) {
		__u8 ext[2];

		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS &&
		    next != IPPROTO_AH && next != IPPROTO_FRAGMENT)
			break;
		if (next == IPPROTO_FRAGMENT) {
			__u16 fragment_offset;

			if (bpf_skb_load_bytes(skb, offset, ext, 2) ||
			    bpf_skb_load_bytes(skb, offset + 2, &fragment_offset, 2))
				return SM_PARSE_TRUNCATED;
			if (bpf_ntohs(fragment_offset) & 0xfff8)
				pkt->fragment = true;
			next = ext[0];
			offset += 8;
			continue;
		}
		if (bpf_skb_load_bytes(skb, offset, ext, 2))
			return SM_PARSE_TRUNCATED;
		offset += next == IPPROTO_AH ? ((__u32)ext[1] + 2) * 4 : ((__u32)ext[1] + 1) * 8;
		next = ext[0];
	}
	if (next == IPPROTO_HOPOPTS || next == IPPROTO_ROUTING || next == IPPROTO_DSTOPTS || next == IPPROTO_AH ||
	    next == IPPROTO_FRAGMENT)
		pkt->ext_limit = true;
	*proto = next;
	pkt->l4_offset = offset;
	return SM_PARSE_OK;
}

/* Ports and TCP flags; on a truncated L4 header the packet still counts, port-less. */
static __always_inline void sm_parse_l4(struct __sk_buff *skb, struct sm_packet *pkt, bool egress,
					__u32 *header_length)
{
	__u8 l4[20];
	__u32 wanted = pkt->key.proto == IPPROTO_TCP ? 20 : 8;

	*header_length = 0;
	if (bpf_skb_load_bytes(skb, pkt->l4_offset, l4, pkt->key.proto == IPPROTO_TCP ? 20 : 8)) {
		pkt->l4_truncated = true;
		return;
	}
	__u16 source = ((__u16)l4[0] << 8) | l4[1];
	__u16 dest = ((__u16)l4[2] << 8) | l4[3];

	pkt->key.local_port = egress ? source : dest;
	pkt->key.remote_port = egress ? dest : source;
	if (pkt->key.proto == IPPROTO_TCP) {
		pkt->tcp_flags = l4[13];
		wanted = (l4[12] >> 4) * 4;
		if (wanted < 20)
			wanted = 20;
	}
	*header_length = wanted;
	pkt->payload_offset = pkt->l4_offset + wanted;
	if (pkt->l3_end > pkt->payload_offset) {
		pkt->payload_length = pkt->l3_end - pkt->payload_offset;
		pkt->has_payload = true;
	}
}

/* ICMP and ICMPv6 echo (request or reply, either direction) are keyed by their identifier as the
 * local port, so one ping run is one flow; every other ICMP message stays port-less. */
static __always_inline void sm_parse_icmp(struct __sk_buff *skb, struct sm_packet *pkt, __u32 *header_length)
{
	__u8 icmp[8];
	bool v4 = pkt->key.proto == SM_IPPROTO_ICMP;

	*header_length = 0;
	if (bpf_skb_load_bytes(skb, pkt->l4_offset, icmp, sizeof(icmp))) {
		pkt->l4_truncated = true;
		return;
	}
	*header_length = 8;
	if ((v4 && (icmp[0] == 8 || icmp[0] == 0)) || (!v4 && (icmp[0] == 128 || icmp[0] == 129)))
		pkt->key.local_port = ((__u16)icmp[4] << 8) | icmp[5];
	pkt->echo_request = v4 ? icmp[0] == 8 : icmp[0] == 128;
}

/* Direct packet access for the common case (untagged, IPv4 without options or fragments, IPv6
 * without extension headers, TCP or UDP, headers in the linear area): every offset is a constant,
 * so bounds checks are cheap for the verifier and no helper is called. Anything else returns false
 * and takes the bpf_skb_load_bytes path, which reaches the same result. */
static __always_inline bool sm_parse_direct(struct __sk_buff *skb, __u32 link, bool egress, struct sm_packet *pkt,
					    __u32 *header_length)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	__u32 l3 = link == SM_LINK_NONE ? 0 : 14;
	__u16 protocol;
	__u8 *l4;

	if (link == SM_LINK_NONE) {
		protocol = skb->protocol;
	} else {
		struct ethhdr *eth = data;

		if ((void *)(eth + 1) > data_end)
			return false;
		protocol = eth->h_proto;
	}
	if (protocol == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = data + l3;

		if ((void *)(ip + 1) > data_end || ip->version != 4 || ip->ihl != 5 || (ip->frag_off & bpf_htons(0x3fff)))
			return false;
		if (ip->protocol != IPPROTO_TCP && ip->protocol != IPPROTO_UDP)
			return false;
		__u32 total = bpf_ntohs(ip->tot_len);

		pkt->l3_end = total >= 20 && l3 + total <= skb->len ? l3 + total : skb->len;
		pkt->key.family = SM_FAMILY_V4;
		pkt->key.proto = ip->protocol;
		*(__u32 *)(egress ? pkt->key.local_addr : pkt->key.remote_addr) = ip->saddr;
		*(__u32 *)(egress ? pkt->key.remote_addr : pkt->key.local_addr) = ip->daddr;
		pkt->l4_offset = l3 + 20;
		l4 = (__u8 *)(ip + 1);
	} else if (protocol == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip = data + l3;

		if ((void *)(ip + 1) > data_end || ip->version != 6)
			return false;
		if (ip->nexthdr != IPPROTO_TCP && ip->nexthdr != IPPROTO_UDP)
			return false;
		if (sm_is_v4_mapped((const __u8 *)&ip->saddr) && sm_is_v4_mapped((const __u8 *)&ip->daddr))
			return false;
		__u32 total = 40 + bpf_ntohs(ip->payload_len);

		pkt->l3_end = ip->payload_len && l3 + total <= skb->len ? l3 + total : skb->len;
		pkt->key.family = SM_FAMILY_V6;
		pkt->key.proto = ip->nexthdr;
		__builtin_memcpy(egress ? pkt->key.local_addr : pkt->key.remote_addr, &ip->saddr, 16);
		__builtin_memcpy(egress ? pkt->key.remote_addr : pkt->key.local_addr, &ip->daddr, 16);
		pkt->l4_offset = l3 + 40;
		l4 = (__u8 *)(ip + 1);
	} else {
		return false;
	}
	if (l4 + 20 > (__u8 *)data_end)
		return false; /* short (e.g. a small UDP datagram at the very end): the slow path copes */
	__u16 source = ((__u16)l4[0] << 8) | l4[1];
	__u16 dest = ((__u16)l4[2] << 8) | l4[3];

	pkt->key.local_port = egress ? source : dest;
	pkt->key.remote_port = egress ? dest : source;
	*header_length = 8;
	if (pkt->key.proto == IPPROTO_TCP) {
		pkt->tcp_flags = l4[13];
		*header_length = (l4[12] >> 4) * 4;
		if (*header_length < 20)
			*header_length = 20;
	}
	pkt->l3_offset = l3;
	pkt->payload_offset = pkt->l4_offset + *header_length;
	if (pkt->l3_end > pkt->payload_offset) {
		pkt->payload_length = pkt->l3_end - pkt->payload_offset;
		pkt->has_payload = true;
	}
	return true;
}

/* Fills pkt: canonical key, IP-layer bytes and wire segments. IP-layer bytes of a GSO super-packet
 * add the L3+L4 headers of every segment after the first, as the wire carries them. */
static __always_inline int sm_parse(struct __sk_buff *skb, __u32 link, bool egress, struct sm_packet *pkt)
{
	__u16 protocol;
	__u8 proto = 0;
	int verdict;

	__u32 header_length = 0;

	__builtin_memset(pkt, 0, sizeof(*pkt));
	pkt->key.ifindex = skb->ifindex;
	pkt->segments = skb->gso_segs > 1 ? skb->gso_segs : 1;
	if (sm_parse_direct(skb, link, egress, pkt, &header_length))
		goto count;
	verdict = sm_parse_l2(skb, link, &protocol, &pkt->l3_offset);
	if (verdict != SM_PARSE_OK)
		return verdict;
	pkt->l3_end = skb->len;
	if (protocol == ETH_P_IP)
		verdict = sm_parse_ipv4(skb, pkt, egress, &proto);
	else if (protocol == ETH_P_IPV6)
		verdict = sm_parse_ipv6(skb, pkt, egress, &proto);
	else
		return SM_PARSE_NOT_IP;
	if (verdict != SM_PARSE_OK)
		return verdict;
	pkt->key.proto = proto;
	if (!pkt->fragment && !pkt->ext_limit && (proto == IPPROTO_TCP || proto == IPPROTO_UDP))
		sm_parse_l4(skb, pkt, egress, &header_length);
	else if (!pkt->fragment && !pkt->ext_limit &&
		 ((proto == SM_IPPROTO_ICMP && pkt->key.family == SM_FAMILY_V4) ||
		  (proto == SM_IPPROTO_ICMPV6 && pkt->key.family == SM_FAMILY_V6)))
		sm_parse_icmp(skb, pkt, &header_length);
count:;
	__u32 per_segment = pkt->l4_offset - pkt->l3_offset + header_length;

	pkt->bytes = pkt->l3_end - pkt->l3_offset;
	if (pkt->segments > 1) {
		pkt->bytes = skb->len - pkt->l3_offset + (__u64)(pkt->segments - 1) * per_segment;
	}
	return SM_PARSE_OK;
}

#endif
