// The real server-filesystem with `filesystem.call_scoped` (issue #9), driven by the official SDK
// client: the server reaches a file only while a call that named it is in flight. On kernels
// with BPF LSM the grants are LSM entries; here (no BPF LSM) they are per-call bind mounts. A
// tool the profile gives no grant (get_file_info) finds nothing, though the file is there.
import { writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { assert, connectThroughSandbox, runChecks, serverEntry, tempDir, textOf, types } from "./harness.mjs";

const { dir, cleanup } = tempDir();
const policy = tempDir();
writeFileSync(path.join(dir, "hello.txt"), "hello\n");
writeFileSync(path.join(dir, "other.txt"), "other\n");
const profile = path.join(policy.dir, "scoped.json");
writeFileSync(profile, JSON.stringify({
  filesystem: { call_scoped: true },
  tools: {
    read_text_file: { grants: { path: "read" } },
    list_directory: { grants: { path: "read" } },
    write_file: { grants: { path: "write" } },
  },
}));
const { client } = await connectThroughSandbox([serverEntry("@modelcontextprotocol/server-filesystem"), dir],
  { sandboxArgs: ["--profile", profile, "--rw", dir] });

await runChecks([
  ["a granted read returns the file", async () => {
    const result = await client.callTool({ name: "read_text_file", arguments: { path: path.join(dir, "hello.txt") } });
    assert.equal(textOf(result).trim(), "hello");
  }],
  ["a directory grant lists the directory", async () => {
    const listing = textOf(await client.callTool({ name: "list_directory", arguments: { path: dir } }));
    assert.match(listing, /hello\.txt/);
    assert.match(listing, /other\.txt/);
  }],
  ["a tool without a grant does not see the file, though the protocol layer let it through", async () => {
    const result = await client.callTool({ name: "get_file_info", arguments: { path: path.join(dir, "other.txt") } });
    assert.equal(result.isError, true, textOf(result));
    assert.doesNotMatch(textOf(result), /size/i);
  }],
  ["and the file read earlier is gone again after its call", async () => {
    const result = await client.callTool({ name: "get_file_info", arguments: { path: path.join(dir, "hello.txt") } });
    assert.equal(result.isError, true, textOf(result));
  }],
  ["creating a file: granted with BPF LSM, refused up front by per-call mounts", async () => {
    const target = path.join(dir, "new.txt");
    try {
      const result = await client.callTool({ name: "write_file", arguments: { path: target, content: "new\n" } });
      assert.ok(!result.isError, textOf(result));
      assert.equal(readFileSync(target, "utf8"), "new\n");
    } catch (error) {
      assert.ok(error instanceof types.McpError, String(error));
      assert.equal(error.code, -31025, error.message);
      assert.match(error.message, /BPF LSM/);
    }
  }],
  ["closes", async () => {
    await client.close();
    cleanup();
    policy.cleanup();
  }],
]);
