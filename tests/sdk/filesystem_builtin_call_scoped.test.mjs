// The built-in `filesystem` profile under `run --call-scoped`, the real server-filesystem and the
// official SDK client: the profile's own grants cover every file tool, so reading, listing,
// searching and inspecting work while the server reaches only what each call names (what a call
// did not name is out of reach: sdk.filesystem_call_scoped and FileGrants.*). Writes by atomic
// replacement (how this server writes) are granted with BPF LSM and fail with EROFS under
// per-call mounts (documented), which also shows the paths really are call-scoped here.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { assert, connectThroughSandbox, runChecks, serverEntry, tempDir, textOf } from "./harness.mjs";

const { dir, cleanup } = tempDir();
mkdirSync(path.join(dir, "docs"));
writeFileSync(path.join(dir, "docs", "guide.md"), "guide\n");
writeFileSync(path.join(dir, "notes.txt"), "notes\n");
const { client, stderr } = await connectThroughSandbox([serverEntry("@modelcontextprotocol/server-filesystem"), dir],
  { sandboxArgs: ["--profile", "filesystem", "--call-scoped", "--rw", dir] });

const call = (name, args) => client.callTool({ name, arguments: args });

await runChecks([
  ["read_text_file reads the file it names", async () => {
    assert.equal(textOf(await call("read_text_file", { path: path.join(dir, "notes.txt") })).trim(), "notes");
  }],
  ["read_multiple_files reads each file its array names", async () => {
    const text = textOf(await call("read_multiple_files",
      { paths: [path.join(dir, "notes.txt"), path.join(dir, "docs", "guide.md")] }));
    assert.match(text, /notes/);
    assert.match(text, /guide/);
  }],
  ["get_file_info inspects the file it names", async () => {
    assert.match(textOf(await call("get_file_info", { path: path.join(dir, "notes.txt") })), /size/i);
  }],
  ["search_files and directory_tree see beneath the directory they name", async () => {
    assert.match(textOf(await call("search_files", { path: dir, pattern: "**/guide.md" })), /guide\.md/);
    assert.match(textOf(await call("directory_tree", { path: path.join(dir, "docs") })), /guide\.md/);
  }],
  ["a write: granted with BPF LSM, EROFS under per-call mounts, never a write outside the call", async () => {
    const target = path.join(dir, "notes.txt");
    const result = await call("edit_file",
      { path: target, edits: [{ oldText: "notes", newText: "edited" }] });
    const perCallMounts = stderr.join("").includes("L5 BPF LSM OFF");
    if (perCallMounts) {
      assert.equal(result.isError, true, "a temporary file beside a granted file: " + textOf(result));
      assert.match(textOf(result), /EROFS|read-only/i);
      assert.equal(readFileSync(target, "utf8"), "notes\n");
    } else {
      assert.ok(!result.isError, textOf(result));
      assert.equal(readFileSync(target, "utf8"), "edited\n");
    }
  }],
  ["closes", async () => {
    await client.close();
    cleanup();
  }],
]);
