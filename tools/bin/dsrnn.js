#!/usr/bin/env node
// The dsrnn command. The package ships the host tools bundled to JavaScript
// (tools/dist, built by `npm pack`), so it starts without compiling; a
// checkout of the repository has tools/src and runs that through tsx, so it
// never runs a stale bundle.
import { existsSync } from "node:fs"

const checkout = existsSync(new URL("../src/cli/cli.ts", import.meta.url))
let main
if (checkout) {
    const { register } = await import("tsx/esm/api")
    register()
    main = (await import("../src/cli/cli.ts")).main
} else {
    main = (await import("../dist/cli.js")).main
}
// exit explicitly: the WASM simulator leaves handles that would keep Node alive
process.exit(await main(process.argv))
