import { describe, expect, it } from 'vitest';
import { ChainPlanError, OWNER_CAPABILITIES, OWNER_CHAINS, allBpfVariants, mergeForce, parseForceEnv, planChain } from '../../../native/chains.js';

describe('owner variant chains', () => {
  it('lead with fentry/fexit and kprobe variants wherever the design has them', () => {
    for (const capability of ['connect', 'accept', 'udp', 'close'] as const) {
      const names = OWNER_CHAINS[capability].map((variant) => variant.name);
      expect(names[0], capability).toMatch(/^(fentry|fexit):/);
      expect(names[1], capability).toMatch(/^(kprobe|kretprobe):/);
    }
  });

  it('never try a syscall-taxing variant before a cheaper BPF one', () => {
    for (const capability of OWNER_CAPABILITIES) {
      const chain = OWNER_CHAINS[capability];
      const firstTaxing = chain.findIndex((variant) => variant.taxesEverySyscall);
      if (firstTaxing < 0) continue;
      const cheaperAfter = chain.slice(firstTaxing + 1).filter((variant) => variant.object !== null && !variant.taxesEverySyscall);
      expect(cheaperAfter.map((variant) => variant.name), capability).toEqual([]);
    }
    expect(OWNER_CHAINS.accept.find((variant) => variant.name === 'tracepoint:sys_exit_accept4')?.taxesEverySyscall).toBe(true);
  });

  it('end the socket chains with the /proc fallback', () => {
    for (const capability of ['connect', 'accept', 'udp', 'startup'] as const) {
      expect(OWNER_CHAINS[capability].at(-1)?.name).toBe('proc:/proc');
    }
  });

  it('give every BPF variant an object and at least one program, and unique names per capability', () => {
    for (const { capability, variant } of allBpfVariants()) {
      expect(variant.object, variant.name).toMatch(/^(owners_\w+|procs)$/);
      expect(variant.programs.length, variant.name).toBeGreaterThan(0);
      const names = OWNER_CHAINS[capability].map((candidate) => candidate.name);
      expect(new Set(names).size).toBe(names.length);
    }
  });

  it('plan the whole chain, or exactly the forced variant', () => {
    expect(planChain('connect')).toBe(OWNER_CHAINS.connect);
    expect(planChain('udp', 'cgroup:sendmsg').map((variant) => variant.name)).toEqual(['cgroup:sendmsg']);
    expect(() => planChain('udp', 'kprobe:nonsense')).toThrow(ChainPlanError);
    expect(() => planChain('udp', 'kprobe:nonsense')).toThrow(/unknown udp variant 'kprobe:nonsense' \(known: fexit:udp_sendmsg, /);
  });

  it('parse SNITCHMAP_FORCE_VARIANTS, ignoring the flows side capabilities', () => {
    expect(parseForceEnv(undefined)).toEqual({});
    expect(parseForceEnv(' connect=sockops:tcp_connect , tc=clsact,dns=tc:dns,startup=proc:/proc ')).toEqual({
      connect: 'sockops:tcp_connect',
      startup: 'proc:/proc',
    });
    expect(() => parseForceEnv('connect')).toThrow(/not capability=variant/);
    expect(() => parseForceEnv('connect=')).toThrow(/not capability=variant/);
    expect(() => parseForceEnv('accept=tp_btf:nope')).toThrow(/unknown accept variant/);
  });

  it('let explicit options win over the environment per capability', () => {
    expect(mergeForce({ udp: 'cgroup:sendmsg' }, { udp: 'tp_btf:sock_send_length', close: 'cgroup:sock_release' })).toEqual({
      udp: 'cgroup:sendmsg',
      close: 'cgroup:sock_release',
    });
    expect(mergeForce(undefined, { exec: 'tracepoint:sched_process_exec' })).toEqual({ exec: 'tracepoint:sched_process_exec' });
  });
});
