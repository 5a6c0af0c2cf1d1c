import { defineConfig } from "vitest/config"

export default defineConfig({
    test: {
        include: ["tools/test/**/*.test.ts"],
        testTimeout: 120_000,
        hookTimeout: 120_000,
        // Simulator runs are CPU-bound: one test file at a time keeps a 2-core
        // machine from slowing them past their timeouts.
        fileParallelism: false,
    },
})
