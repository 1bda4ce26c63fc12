import { defineConfig } from 'vitest/config';

// Units of the plain modules (src/core): no VS Code, real sockets where they matter.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
