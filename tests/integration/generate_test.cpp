// `mcpsandbox profile generate`: from a server's tool list (asked in the sandbox), from a learning
// run, and from an MCPB bundle. Each generated profile is then used for real: normal calls work
// and what the profile leaves out is refused.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "tests/integration/relay_harness.h"

namespace mcpsandbox::testing {
namespace {

std::string fixtures_dir() { return std::filesystem::path(python_server_script()).parent_path(); }

std::vector<std::string> standin(const std::string& manifest) {
  return {"/usr/bin/python3", fixtures_dir() + "/standin_server.py", fixtures_dir() + "/manifests/" + manifest};
}

// Runs `mcpsandbox profile generate ARGS -- COMMAND`; returns its exit status.
int generate(std::vector<std::string> args, const std::vector<std::string>& command, std::string* stderr_text = nullptr) {
  std::vector<std::string> argv = {mcpsandbox_binary(), "profile", "generate"};
  argv.insert(argv.end(), args.begin(), args.end());
  if (!command.empty()) {
    argv.push_back("--");
    argv.insert(argv.end(), command.begin(), command.end());
  }
  ChildProcess generator(argv);
  int status = generator.wait(60s).value_or(-1);
  if (stderr_text) *stderr_text = generator.stderr_text();
  return status;
}

// A session under a profile: initialize, then calls.
class Session {
 public:
  Session(const std::string& profile, std::vector<std::string> command, std::vector<std::string> grants = {})
      : proxy_(argv(profile, std::move(command), std::move(grants))) {
    proxy_.send_line(request(0, "initialize", {{"protocolVersion", "2025-06-18"}, {"capabilities", json::object()}}));
    EXPECT_TRUE(next_message(proxy_, 30s).contains("result")) << proxy_.stderr_text();
  }
  ~Session() {
    proxy_.close_stdin();
    proxy_.wait();
  }
  json call(const std::string& tool, json args) {
    proxy_.send_line(tool_call(++id_, tool, std::move(args)));
    return next_response(proxy_, 30s);
  }
  std::string stderr_text() { return proxy_.stderr_text(); }

 private:
  static std::vector<std::string> argv(const std::string& profile, std::vector<std::string> command,
                                       std::vector<std::string> grants) {
    std::vector<std::string> out = {mcpsandbox_binary(), "run", "--profile", profile};
    out.insert(out.end(), grants.begin(), grants.end());
    out.push_back("--");
    out.insert(out.end(), command.begin(), command.end());
    return out;
  }
  ChildProcess proxy_;
  int id_ = 0;
};

TEST(Generate, FromTheToolListConfinesPathArgumentsAndPinsEveryTool) {
  TempDir policy, repo, other;
  std::string profile = policy.file("git.json");
  ASSERT_EQ(generate({"--out", profile, "--ro", fixtures_dir(), "--rw", repo.path()}, standin("git.json")), 0);
  std::string text = read_file(profile);
  EXPECT_NE(text.find("\"repo_path\": { \"path\": true }  // path by name"), std::string::npos) << text;
  EXPECT_NE(text.find("// git_reset: destructiveHint"), std::string::npos) << text;
  EXPECT_NE(text.find("\"mode\": \"none\"  // no tool has openWorldHint or a URL argument"), std::string::npos) << text;
  json pins = json::parse(read_file(policy.file("git.pins.json")));
  EXPECT_EQ(pins["tools"].size(), 12u) << "every listed tool is pinned";

  Session session(profile, standin("git.json"));
  json inside = session.call("git_status", {{"repo_path", repo.path()}});
  EXPECT_TRUE(inside.contains("result")) << inside.dump() << session.stderr_text();
  json outside = session.call("git_status", {{"repo_path", other.path()}});
  EXPECT_EQ(error_code_of(outside), -31013) << outside.dump();
  json unlisted = session.call("git_push", {{"repo_path", repo.path()}});
  EXPECT_EQ(error_code_of(unlisted), -31011) << "only the tools listed at generation: " << unlisted.dump();
}

TEST(Generate, UnstartableServersAndBadArgumentsAreClearErrors) {
  TempDir policy;
  std::string err;
  EXPECT_EQ(generate({"--out", policy.file("x.json")}, {"/no/such/server"}, &err), 1);
  EXPECT_NE(err.find("could not be asked for its tools"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(policy.file("x.json"))) << "nothing written on failure";
  EXPECT_EQ(generate({}, {}, &err), 2);
  EXPECT_NE(err.find("nothing to ask"), std::string::npos) << err;
  EXPECT_EQ(generate({"--mcpb", policy.path()}, {}, &err), 2);
  EXPECT_NE(err.find("cannot read"), std::string::npos) << err;
}

TEST(Generate, FromAnMcpbBundleWithAndWithoutItsUserConfig) {
  TempDir policy, repo;
  std::string bundle = fixtures_dir() + "/bundle";
  std::string err;
  // Without a value for ${user_config.repository} the server cannot start: the declared tools.
  ASSERT_EQ(generate({"--mcpb", bundle, "--out", policy.file("declared.json")}, {}, &err), 0) << err;
  std::string declared = read_file(policy.file("declared.json"));
  EXPECT_NE(declared.find("\"allow\": [\"git_status\", \"git_log\"]  // the tools the bundle's manifest declares"),
            std::string::npos) << declared;
  EXPECT_NE(declared.find("directory (repository): grant it with --ro/--rw"), std::string::npos) << declared;
  EXPECT_NE(declared.find("\"pass\": [\"GIT_TOKEN\"]"), std::string::npos) << declared;
  EXPECT_NE(err.find("no --user-config for repository"), std::string::npos) << err;
  // With it, the bundle's server is asked; the directory becomes its grant. (The stand-in's
  // script lives beside the bundle's directory, not in it: granted too.)
  ASSERT_EQ(generate({"--mcpb", bundle, "--user-config", "repository=" + repo.path(), "--ro", fixtures_dir(),
                      "--out", policy.file("asked.json")}, {}, &err), 0) << err;
  EXPECT_EQ(err.find("could not be asked"), std::string::npos) << err;
  std::string asked = read_file(policy.file("asked.json"));
  EXPECT_NE(asked.find("\"rw\": [\"" + repo.path() + "\"]"), std::string::npos) << asked;
  EXPECT_NE(asked.find("the tools the server listed at generation"), std::string::npos) << asked;
  EXPECT_NE(asked.find("\"generated for MCPB bundle git-standin\""), std::string::npos) << asked;
}

bool tracing_available() { return ::geteuid() == 0; }

TEST(Generate, UrlArgumentsBecomeCallScopedConnectGrantsThatWork) {
  if (::geteuid() != 0) GTEST_SKIP() << "host network with call-scoped grants needs cgroup-bpf (root)";
  TempDir policy;
  std::string profile = policy.file("fetch.json");
  std::string err;
  ASSERT_EQ(generate({"--out", profile, "--ro", fixtures_dir()}, standin("fetch.json"), &err), 0) << err;
  std::string text = read_file(profile);
  EXPECT_NE(text.find("\"url\": \"connect\"  // while a call runs"), std::string::npos) << text;
  EXPECT_NE(text.find("\"mode\": \"host\""), std::string::npos) << text;
  // A listener on this machine: refused as generated (grants reach public addresses only), and
  // reached once the profile opens internal grants as its comment says.
  auto opened = text.find("\"internal_grants\": \"deny\"");
  ASSERT_NE(opened, std::string::npos) << text;
  std::string local_profile = policy.file("fetch-local.json");
  std::ofstream(local_profile) << text.replace(opened, std::strlen("\"internal_grants\": \"deny\""),
                                               "\"internal_grants\": \"allow\"");
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  socklen_t length = sizeof address;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/";
  {
    Session session(profile, standin("fetch.json"));
    json refused = session.call("fetch", {{"url", url}});
    EXPECT_EQ(error_code_of(refused), -31025) << refused.dump();
  }
  {
    Session session(local_profile, standin("fetch.json"));
    json fetched = session.call("fetch", {{"url", url}});
    ASSERT_TRUE(fetched.contains("result")) << fetched.dump() << session.stderr_text();
    json outcome = json::parse(fetched["result"]["content"][0]["text"].get<std::string>());
    EXPECT_EQ(outcome["connect"], "connected") << outcome.dump();
  }
  ::close(listener);
}

TEST(Generate, LearningNarrowsGrantsSystemCallsAndTheResultStillServes) {
  if (!tracing_available()) GTEST_SKIP() << "learning runs need root (tp_btf eBPF programs)";
  TempDir policy, data;
  std::ofstream(data.file("hello.txt")) << "hello\n";
  std::string scenario = policy.file("scenario.json");
  std::ofstream(scenario) << R"([{"tool": "echo", "arguments": {"text": "hi"}}, {"tool": "whoami"}])";
  std::string profile = policy.file("learned.json");
  std::string err;
  std::vector<std::string> server = {"/usr/bin/python3", python_server_script()};
  ASSERT_EQ(generate({"--learn", "--scenario", scenario, "--out", profile, "--ro", fixtures_dir(), "--rw",
                      data.path()}, server, &err), 0) << err;
  EXPECT_NE(err.find("scenario 2/2: whoami answered"), std::string::npos) << "progress is shown\n" << err;
  std::string text = read_file(profile);
  EXPECT_NE(text.find("granted read-write, only read during learning"), std::string::npos) << text;
  EXPECT_NE(text.find("runtime keeps"), std::string::npos) << text;
  EXPECT_NE(text.find("more; the rest fail with ENOSYS"), std::string::npos) << text;
  EXPECT_NE(text.find("\"mode\": \"none\"  // no connection let through during learning"), std::string::npos) << text;
  // The narrowed profile still runs the server for what the scenario did.
  Session session(profile, server);
  json echoed = session.call("echo", {{"text", "again"}});
  EXPECT_TRUE(echoed.contains("result")) << echoed.dump() << session.stderr_text();
}

}  // namespace
}  // namespace mcpsandbox::testing
