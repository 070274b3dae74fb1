// The built-in profiles for the npm reference servers, each running the real server under
// `--profile NAME` with the official SDK client: normal use works, and an action outside the
// profile is refused (by the protocol layer where the call itself is out of bounds, by the
// sandbox where only the server's own behaviour could break the profile). `filesystem` has its
// own test (filesystem_policy.test.mjs).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { assert, connectThroughSandbox, runChecks, serverEntry, tempDir, textOf, types } from "./harness.mjs";

async function refusedWith(promise, code) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof types.McpError, String(error));
    assert.equal(error.code, code, error.message);
    return true;
  });
}

const store = tempDir();     // granted to server-memory
const elsewhere = tempDir(); // not granted to anyone
const memoryFile = path.join(store.dir, "memory.jsonl");
const memory = await connectThroughSandbox([serverEntry("@modelcontextprotocol/server-memory")], {
  env: { MEMORY_FILE_PATH: memoryFile },
  sandboxArgs: ["--profile", "memory", "--rw", store.dir, "--env", "MEMORY_FILE_PATH"],
});
const memoryOutside = await connectThroughSandbox([serverEntry("@modelcontextprotocol/server-memory")], {
  env: { MEMORY_FILE_PATH: path.join(elsewhere.dir, "memory.jsonl") },
  sandboxArgs: ["--profile", "memory", "--env", "MEMORY_FILE_PATH"],
});
const secretValue = "AKIAIOSFODNN7EXAMPLE-not-for-the-server";
const everything = await connectThroughSandbox([serverEntry("@modelcontextprotocol/server-everything")], {
  env: { AWS_SECRET_ACCESS_KEY: secretValue },
  sandboxArgs: ["--profile", "everything"],
});
const thinking = await connectThroughSandbox([serverEntry("@modelcontextprotocol/server-sequential-thinking")], {
  sandboxArgs: ["--profile", "sequential-thinking"],
});
const entity = { name: "mcpsandbox", entityType: "tool", observations: ["sandboxes MCP servers"] };

await runChecks([
  ["memory: entities are stored in the granted directory", async () => {
    await memory.client.callTool({ name: "create_entities", arguments: { entities: [entity] } });
    const graph = JSON.parse(textOf(await memory.client.callTool({ name: "read_graph", arguments: {} })));
    assert.deepEqual(graph.entities.map((e) => e.name), ["mcpsandbox"]);
  }],
  ["memory: a store outside the grants cannot be written (the sandbox refuses the write)", async () => {
    const result = await memoryOutside.client.callTool({ name: "create_entities", arguments: { entities: [entity] } });
    assert.equal(result.isError, true, JSON.stringify(result));
    assert.match(textOf(result), /EROFS|EACCES|ENOENT|read-only|permission/i);
  }],
  ["everything: tools work", async () => {
    const result = await everything.client.callTool({ name: "echo", arguments: { message: "hi" } });
    assert.match(textOf(result), /hi/);
  }],
  ["everything: the client's credentials never reach the server (scrubbed environment)", async () => {
    const env = textOf(await everything.client.callTool({ name: "get-env", arguments: {} }));
    assert.ok(env.includes("PATH"), env.slice(0, 200));
    assert.ok(!env.includes("AWS_SECRET_ACCESS_KEY") && !env.includes(secretValue), env);
  }],
  ["sequential-thinking: a thought is recorded", async () => {
    const result = await thinking.client.callTool({ name: "sequentialthinking", arguments: {
      thought: "first", nextThoughtNeeded: true, thoughtNumber: 1, totalThoughts: 2 } });
    assert.equal(JSON.parse(textOf(result)).thoughtNumber, 1);
  }],
  ["sequential-thinking: an oversized thought is refused by the profile", async () => {
    await refusedWith(thinking.client.callTool({ name: "sequentialthinking", arguments: {
      thought: "x".repeat(20001), nextThoughtNeeded: false, thoughtNumber: 2, totalThoughts: 2 } }), -31013);
  }],
  ["closes", async () => {
    for (const session of [memory, memoryOutside, everything, thinking]) await session.client.close();
    store.cleanup();
    elsewhere.cleanup();
  }],
]);
