#!/usr/bin/env node
// The dsrnn command: the host tools are TypeScript, run through tsx's loader.
import { register } from "tsx/esm/api"

register()
const { main } = await import("../src/cli/cli.ts")
// exit explicitly: the WASM simulator leaves handles that would keep Node alive
process.exit(await main(process.argv))
