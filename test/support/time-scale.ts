// Time bounds that kernel tests assert (a helper exits "within 1 s") hold on real hardware. The kernel
// matrix runs the same tests under qemu without KVM, roughly ten times slower; there it sets
// SNITCHMAP_TIME_SCALE and the bounds stretch by that factor, so a hang still fails but emulation does not.
export const TIME_SCALE = Math.max(1, Number(process.env.SNITCHMAP_TIME_SCALE ?? 1) || 1);

export function scaled(ms: number): number {
  return ms * TIME_SCALE;
}
