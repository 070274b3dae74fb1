// The README's headline command, for real: `mcpsandbox run --rw DIR -- npx -y
// @modelcontextprotocol/server-filesystem DIR` with the package in the npm cache and no network
// (the node preset overlays ~/.npm and sets npm offline). The client then offers `/` as its
// root, which server-filesystem obeys (RUNTIMES.md): only the sandbox keeps it in DIR.
import { writeFileSync, readdirSync, existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { assert, Client, StdioClientTransport, getDefaultEnvironment, runChecks, tempDir, textOf, types } from "./harness.mjs";

const version = "2026.8.31";  // as pinned in tests/peers/package.json, so the cache has it
const { dir, cleanup } = tempDir();
const outside = tempDir();
writeFileSync(path.join(dir, "inside.txt"), "granted\n");
writeFileSync(path.join(outside.dir, "secret.txt"), "host secret\n");
const npxDir = path.join(homedir(), ".npm", "_npx");
const npxBefore = existsSync(npxDir) ? readdirSync(npxDir).sort() : [];

const client = new Client({ name: "npx-test", version: "1" }, { capabilities: { roots: { listChanged: true } } });
client.setRequestHandler(types.ListRootsRequestSchema, async () => ({ roots: [{ uri: "file:///", name: "everything" }] }));
const transport = new StdioClientTransport({
  command: process.env.MCPSANDBOX,
  args: ["run", "--rw", dir, "--", "npx", "-y", `@modelcontextprotocol/server-filesystem@${version}`, dir],
  env: getDefaultEnvironment(),
  stderr: "pipe",
});
const stderr = [];
transport.stderr?.on("data", (chunk) => stderr.push(chunk.toString()));
await client.connect(transport);

async function read(file) {
  return client.callTool({ name: "read_text_file", arguments: { path: file } });
}

await runChecks([
  ["npx starts the server offline inside the sandbox", async () => {
    const result = await read(path.join(dir, "inside.txt"));
    assert.equal(textOf(result).trim(), "granted", JSON.stringify(result) + stderr.join(""));
  }],
  ["the server accepted / as its root", async () => {
    for (let i = 0; i < 50; i++) {
      const allowed = textOf(await client.callTool({ name: "list_allowed_directories", arguments: {} }));
      if (!allowed.includes(dir)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail("server-filesystem never switched to the client's roots");
  }],
  ["yet the kernel keeps it from host files", async () => {
    for (const file of ["/etc/shadow", path.join(outside.dir, "secret.txt")]) {
      const result = await read(file);
      assert.ok(result.isError, `${file} was readable: ${JSON.stringify(result)}`);
      // The kernel answers: the file is absent from the view (ENOENT) or Landlock refuses a
      // directory outside it (EACCES). The server itself believed the access allowed.
      assert.match(textOf(result), /ENOENT|EACCES|no such file|permission denied/i);
    }
  }],
  ["npx's writes to the npm cache stayed in the sandbox", async () => {
    const after = existsSync(npxDir) ? readdirSync(npxDir).sort() : [];
    assert.deepEqual(after, npxBefore);
  }],
  ["closes", async () => {
    await client.close();
    cleanup();
    outside.cleanup();
  }],
]);
