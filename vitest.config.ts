import { defineConfig } from 'vitest/config';

// Three projects: unit tests run in parallel; kernel and UI tests run one file at a time because
// they attach programs to the host's interfaces, build network namespaces or drive one Chromium.
// Under emulation (the kernel matrix sets SNITCHMAP_TIME_SCALE=10) a kernel test's budget doubles:
// the 1,000-process ring-buffer flood took 124 s on 6.12 beside a second guest, over the 120 s
// bound it meets in 50 s alone. A hang still fails.
const emulated = Number(process.env.SNITCHMAP_TIME_SCALE ?? 1) > 1;
const kernelTimeout = emulated ? 240_000 : 120_000;

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 20_000 } },
      {
        test: {
          name: 'kernel',
          include: ['test/kernel/**/*.test.ts'],
          fileParallelism: false,
          // Under emulation a fresh worker per file (node, vitest, the addon and the modules again)
          // left ~175 s of a guest's 890 s vitest run outside the tests (16 files); with one shared
          // worker it is ~40 s. The host keeps a worker per file, so a file that leaks into the
          // next still fails there.
          isolate: !emulated,
          testTimeout: kernelTimeout,
          hookTimeout: kernelTimeout,
        },
      },
      {
        test: {
          name: 'app',
          include: ['test/app/**/*.test.ts', 'test/ui/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
