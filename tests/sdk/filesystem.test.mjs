// server-filesystem through mcpsandbox with the official SDK client: read and list in a temp dir.
import { writeFileSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { assert, connectThroughSandbox, runChecks, serverEntry, tempDir, textOf } from "./harness.mjs";

const { dir, cleanup } = tempDir();
writeFileSync(path.join(dir, "hello.txt"), "hello from the sandbox test\n");
mkdirSync(path.join(dir, "sub"));
const { client } = await connectThroughSandbox([serverEntry("@modelcontextprotocol/server-filesystem"), dir], {
  sandboxArgs: ["--rw", dir],
});

await runChecks([
  ["reads a file", async () => {
    const result = await client.callTool({ name: "read_text_file", arguments: { path: path.join(dir, "hello.txt") } });
    assert.equal(textOf(result).trim(), "hello from the sandbox test");
  }],
  ["lists a directory", async () => {
    const result = await client.callTool({ name: "list_directory", arguments: { path: dir } });
    assert.match(textOf(result), /\[FILE\] hello\.txt/);
    assert.match(textOf(result), /\[DIR\] sub/);
  }],
  ["writes a file", async () => {
    await client.callTool({ name: "write_file", arguments: { path: path.join(dir, "sub", "new.txt"), content: "written" } });
    assert.equal(readFileSync(path.join(dir, "sub", "new.txt"), "utf8"), "written");
  }],
  ["refuses a path outside its directory (the server's own check)", async () => {
    const result = await client.callTool({ name: "read_text_file", arguments: { path: "/etc/hostname" } });
    assert.ok(result.isError, JSON.stringify(result));
  }],
  ["the sandbox hides what the server was not granted", async () => {
    // The client widens the server's roots to /, which server-filesystem obeys (RUNTIMES.md):
    // only the kernel-level view stands between it and the host now.
    const result = await client.callTool({ name: "list_allowed_directories", arguments: {} });
    assert.match(textOf(result), new RegExp(dir));
  }],
  ["closes", async () => {
    await client.close();
    cleanup();
  }],
]);
