// server-filesystem under the protocol layer, driven by the official SDK client: the built-in
// `filesystem` profile confines path arguments to the granted directory and never serves
// secrets; a stricter profile hides write tools. Every refusal comes from mcpsandbox (an
// McpError with its code), not from the server's own checks.
import { writeFileSync, mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { assert, connectThroughSandbox, runChecks, serverEntry, tempDir, textOf, types } from "./harness.mjs";

const { dir, cleanup } = tempDir();
const policy = tempDir();  // profiles live outside what the server may write
writeFileSync(path.join(dir, "hello.txt"), "hello\n");
writeFileSync(path.join(dir, ".env"), "SECRET=1\n");
mkdirSync(path.join(dir, "docs"));
symlinkSync("/etc", path.join(dir, "etc-link"));
const server = [serverEntry("@modelcontextprotocol/server-filesystem"), dir];

async function refusedWith(promise, code) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof types.McpError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  });
}

const builtin = await connectThroughSandbox(server, { sandboxArgs: ["--profile", "filesystem", "--rw", dir] });
const strictProfile = path.join(policy.dir, "strict.json");
writeFileSync(strictProfile, JSON.stringify({
  access: { tools: { deny: ["write_file", "edit_file", "move_file", "create_directory"] } },
  tools: { "*": { arguments: { path: { path: true } } } },
}));
const strict = await connectThroughSandbox(server, { sandboxArgs: ["--profile", strictProfile, "--rw", dir] });

await runChecks([
  ["normal use works under the built-in profile", async () => {
    const result = await builtin.client.callTool({ name: "read_text_file", arguments: { path: path.join(dir, "hello.txt") } });
    assert.equal(textOf(result).trim(), "hello");
  }],
  ["a path outside the granted directory is refused by mcpsandbox", async () => {
    await refusedWith(builtin.client.callTool({ name: "read_text_file", arguments: { path: "/etc/hostname" } }), -31013);
  }],
  ["traversal out of the directory is refused", async () => {
    await refusedWith(builtin.client.callTool({ name: "read_text_file", arguments: { path: `${dir}/docs/../../../etc/passwd` } }), -31013);
  }],
  ["a symlink leading out is judged by its target", async () => {
    await refusedWith(builtin.client.callTool({ name: "read_text_file", arguments: { path: path.join(dir, "etc-link", "passwd") } }), -31013);
  }],
  ["secrets inside the directory are never served", async () => {
    await refusedWith(builtin.client.callTool({ name: "read_text_file", arguments: { path: path.join(dir, ".env") } }), -31013);
  }],
  ["arguments that do not match the tool's schema never reach the server", async () => {
    await refusedWith(builtin.client.callTool({ name: "read_text_file", arguments: { path: 7 } }), -31012);
  }],
  ["denied tools are not listed", async () => {
    const names = (await strict.client.listTools()).tools.map((t) => t.name);
    assert.ok(names.includes("read_text_file"), names.join(","));
    assert.ok(!names.includes("write_file"), names.join(","));
  }],
  ["and calling one anyway is refused", async () => {
    await refusedWith(strict.client.callTool({ name: "write_file", arguments: { path: path.join(dir, "x"), content: "x" } }), -31011);
  }],
  ["closes", async () => {
    await builtin.client.close();
    await strict.client.close();
    cleanup();
    policy.cleanup();
  }],
]);
