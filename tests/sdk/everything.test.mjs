// server-everything through mcpsandbox with the official SDK client: tools, progress,
// cancellation, sampling, elicitation and roots round trips, resources and prompts.
import {
  assert, connectThroughSandbox, runChecks, serverEntry, textOf, types,
} from "./harness.mjs";

const received = { sampling: 0, elicitation: 0, roots: 0 };
const { client, stderr } = await connectThroughSandbox([serverEntry("@modelcontextprotocol/server-everything"), "stdio"], {
  capabilities: { sampling: {}, elicitation: {}, roots: { listChanged: true } },
  sandboxArgs: ["--profile", "everything"],  // built in: allows sampling, denied by default
  setup: (c) => {
    c.setRequestHandler(types.CreateMessageRequestSchema, async (request) => {
      received.sampling++;
      return { role: "assistant", model: "test-model", content: { type: "text", text: `sampled: ${request.params.maxTokens}` } };
    });
    c.setRequestHandler(types.ElicitRequestSchema, async () => {
      received.elicitation++;
      return { action: "decline" };
    });
    c.setRequestHandler(types.ListRootsRequestSchema, async () => {
      received.roots++;
      return { roots: [{ uri: "file:///tmp/mcpsandbox-root", name: "test root" }] };
    });
  },
});

// The server registers its capability-dependent tools just after initialization.
async function toolNames() {
  for (let attempt = 0; attempt < 50; attempt++) {
    const names = (await client.listTools()).tools.map((t) => t.name);
    if (names.includes("trigger-sampling-request")) return names;
    await new Promise((r) => setTimeout(r, 100));
  }
  return (await client.listTools()).tools.map((t) => t.name);
}

await runChecks([
  ["lists tools including the capability-dependent ones", async () => {
    const names = await toolNames();
    for (const name of ["echo", "trigger-long-running-operation", "trigger-sampling-request", "get-roots-list"]) {
      assert.ok(names.includes(name), `missing ${name} in ${names}`);
    }
  }],
  ["echo tool", async () => {
    const result = await client.callTool({ name: "echo", arguments: { message: "through the sandbox" } });
    assert.equal(textOf(result), "Echo: through the sandbox");
  }],
  ["a call that fails the tool's inputSchema is refused before the server", async () => {
    await assert.rejects(client.callTool({ name: "echo", arguments: { message: 42 } }), (error) => {
      assert.equal(error.code, -31012, error.message);
      assert.match(error.message, /\/message: expected string/);
      return true;
    });
  }],
  ["long-running tool reports progress", async () => {
    const progress = [];
    const result = await client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 1, steps: 4 } },
      undefined,
      { onprogress: (p) => progress.push(p.progress) },
    );
    // mcpsandbox relays all four (see the raw relay tests); the SDK resolves the call when the
    // response arrives in the same read as the last progress and may not report that one.
    assert.ok(progress.length >= 3, `progress notifications: ${progress}`);
    assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
    assert.match(textOf(result), /completed/i);
  }],
  ["cancellation reaches the server and the session goes on", async () => {
    const controller = new AbortController();
    const call = client.callTool(
      { name: "trigger-long-running-operation", arguments: { duration: 30, steps: 30 } },
      undefined,
      { signal: controller.signal, onprogress: () => {} },
    );
    setTimeout(() => controller.abort("test cancels"), 300);
    await assert.rejects(call);
    const result = await client.callTool({ name: "echo", arguments: { message: "after cancel" } });
    assert.equal(textOf(result), "Echo: after cancel");
  }],
  ["sampling round trip (server asks the client)", async () => {
    const result = await client.callTool({ name: "trigger-sampling-request", arguments: { prompt: "hi", maxTokens: 7 } });
    assert.equal(received.sampling, 1);
    assert.match(textOf(result), /sampled: 7/);
  }],
  ["elicitation round trip", async () => {
    const result = await client.callTool({ name: "trigger-elicitation-request", arguments: {} });
    assert.equal(received.elicitation, 1);
    assert.match(JSON.stringify(result), /decline/i);
  }],
  ["roots/list round trip", async () => {
    const result = await client.callTool({ name: "get-roots-list", arguments: {} });
    assert.ok(received.roots >= 1);
    assert.match(textOf(result), /mcpsandbox-root/);
  }],
  ["resources and prompts", async () => {
    const resources = await client.listResources();
    assert.ok(resources.resources.length > 0);
    const read = await client.readResource({ uri: resources.resources[0].uri });
    assert.ok(read.contents.length > 0);
    const prompts = await client.listPrompts();
    assert.ok(prompts.prompts.length > 0);
    const simple = prompts.prompts.find((p) => !(p.arguments || []).some((a) => a.required));
    const prompt = await client.getPrompt({ name: simple.name, arguments: {} });
    assert.ok(prompt.messages.length > 0);
  }],
  ["ping", async () => {
    assert.deepEqual(await client.ping(), {});
  }],
  ["closing the client ends mcpsandbox cleanly", async () => {
    await client.close();
    assert.ok(!stderr.join("").includes("error:"), stderr.join(""));
  }],
]);
