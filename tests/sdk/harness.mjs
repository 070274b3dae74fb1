// Shared set-up for the SDK tests: the official TypeScript SDK client talking to a real npm MCP
// server through build/mcpsandbox. Exits 77 (reported by ctest as skipped, with the reason)
// when the pinned peers are not installed.
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import assert from "node:assert/strict";

const peers = process.env.MCPSANDBOX_PEERS;
const mcpsandbox = process.env.MCPSANDBOX;
if (!peers || !mcpsandbox) {
  console.error("MCPSANDBOX and MCPSANDBOX_PEERS must be set (ctest sets them)");
  process.exit(2);
}
const require = createRequire(path.join(peers, "package.json"));
let sdkClient, sdkStdio, sdkTypes;
try {
  sdkClient = await import(require.resolve("@modelcontextprotocol/sdk/client/index.js"));
  sdkStdio = await import(require.resolve("@modelcontextprotocol/sdk/client/stdio.js"));
  sdkTypes = await import(require.resolve("@modelcontextprotocol/sdk/types.js"));
} catch (error) {
  console.log(`SKIP: npm test peers not installed in ${peers} (run scripts/install-deps.sh): ${error.message}`);
  process.exit(77);
}
export const { Client } = sdkClient;
export const { StdioClientTransport, getDefaultEnvironment } = sdkStdio;
export const types = sdkTypes;
export { assert };

export function serverEntry(pkg) {
  return require.resolve(`${pkg}/dist/index.js`);
}

// Connects an SDK client to `serverArgs` (run with node) wrapped in `mcpsandbox run`, which
// sandboxes it: the peers' install directory is granted read-only, `sandboxArgs` adds more.
export async function connectThroughSandbox(serverArgs, { capabilities = {}, env = {}, setup, sandboxArgs = [] } = {}) {
  const client = new Client({ name: "mcpsandbox-sdk-test", version: "1.0.0" }, { capabilities });
  if (setup) setup(client);
  const stderr = [];
  const transport = new StdioClientTransport({
    command: mcpsandbox,
    args: ["run", "--ro", peers, ...sandboxArgs, "--", process.execPath, ...serverArgs],
    env: { ...getDefaultEnvironment(), ...env },
    stderr: "pipe",
  });
  transport.stderr?.on("data", (chunk) => stderr.push(chunk.toString()));
  await client.connect(transport);
  return { client, transport, stderr };
}

export function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), "mcpsandbox-sdk-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// Runs named async checks in order and reports each; any failure fails the process.
export async function runChecks(checks) {
  let failed = 0;
  for (const [name, check] of checks) {
    try {
      await check();
      console.log(`ok - ${name}`);
    } catch (error) {
      failed++;
      console.log(`not ok - ${name}\n${error.stack}`);
    }
  }
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

export function textOf(result) {
  return result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
}
