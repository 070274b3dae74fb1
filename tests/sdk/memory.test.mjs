// server-memory through mcpsandbox with the official SDK client: create and read entities.
import path from "node:path";
import { existsSync } from "node:fs";
import { assert, connectThroughSandbox, runChecks, serverEntry, tempDir, textOf } from "./harness.mjs";

const { dir, cleanup } = tempDir();
const memoryFile = path.join(dir, "memory.jsonl");
const { client } = await connectThroughSandbox([serverEntry("@modelcontextprotocol/server-memory")], {
  env: { MEMORY_FILE_PATH: memoryFile },
  sandboxArgs: ["--rw", dir, "--env", "MEMORY_FILE_PATH"],
});

await runChecks([
  ["creates entities and a relation", async () => {
    await client.callTool({
      name: "create_entities",
      arguments: { entities: [
        { name: "mcpsandbox", entityType: "tool", observations: ["sandboxes MCP servers"] },
        { name: "server-memory", entityType: "server", observations: ["stores a graph"] },
      ] },
    });
    await client.callTool({
      name: "create_relations",
      arguments: { relations: [{ from: "mcpsandbox", to: "server-memory", relationType: "wraps" }] },
    });
    assert.ok(existsSync(memoryFile));
  }],
  ["reads them back", async () => {
    const graph = JSON.parse(textOf(await client.callTool({ name: "read_graph", arguments: {} })));
    assert.deepEqual(graph.entities.map((e) => e.name).sort(), ["mcpsandbox", "server-memory"]);
    assert.equal(graph.relations[0].relationType, "wraps");
    const found = JSON.parse(textOf(await client.callTool({ name: "search_nodes", arguments: { query: "graph" } })));
    assert.deepEqual(found.entities.map((e) => e.name), ["server-memory"]);
  }],
  ["closes", async () => {
    await client.close();
    cleanup();
  }],
]);
