// Set-id programs through a read-write grant: a file the server creates there is the host's
// file, so a setuid bit on it would give any local user its owner's rights (root's, when root
// runs mcpsandbox). Every syscall form that takes a mode is tried, as root and as an ordinary
// user; the seccomp argument filter refuses each, whichever layers else are there.
#include <sys/stat.h>
#include <unistd.h>

#include "tests/escape/escape_harness.h"

namespace mcpsandbox::testing {
namespace {

struct Form {
  const char* name;
  const char* errno_name;  // how the sandbox refuses it
};

// openat2 hides its mode in memory seccomp cannot read: refused outright (libc uses openat).
// File capabilities need setxattr, which is not in the allowlist.
constexpr Form kForms[] = {
    {"chmod", "EPERM"},    {"fchmod", "EPERM"},  {"fchmodat", "EPERM"}, {"fchmodat2", "EPERM"},
    {"open", "EPERM"},     {"openat", "EPERM"},  {"creat", "EPERM"},    {"mknod", "EPERM"},
    {"mknodat", "EPERM"},  {"openat2", "ENOSYS"}, {"setcap", "ENOSYS"},
};

void expect_no_set_id_program(const TempDir& grant, const std::vector<std::string>& prefix) {
  for (const Form& form : kForms) {
    std::string path = grant.file(std::string("planted-") + form.name);
    ProbeOutcome o = run_probe({"--rw", grant.path()}, {"set-id", form.name, path}, prefix);
    EXPECT_FALSE(o.attack_succeeded()) << form.name << ": " << describe(o);
    EXPECT_EQ(o.error(), form.errno_name) << form.name << ": " << describe(o);
    struct stat status {};
    if (stat(path.c_str(), &status) == 0) {
      EXPECT_EQ(status.st_mode & (S_ISUID | S_ISGID), 0u)
          << form.name << " left a set-id file on the host: " << std::oct << status.st_mode;
    }
    EXPECT_EQ(o.exit_status, 0) << form.name << ": " << describe(o);
  }
}

TEST(SetIdFiles, RootsServerCannotPlantASetuidRootProgramInAGrant) {
  if (geteuid() != 0) GTEST_SKIP() << "runs mcpsandbox as root: needs root";
  TempDir grant;
  expect_no_set_id_program(grant, {});
}

TEST(SetIdFiles, AnOrdinaryUsersServerCannotPlantASetuidProgramInAGrant) {
  if (geteuid() != 0) GTEST_SKIP() << "switching to an unprivileged uid needs root";
  TempDir grant;
  ASSERT_EQ(chmod(grant.path().c_str(), 0777), 0);  // nobody writes here
  expect_no_set_id_program(grant, kAsNobody);
}

TEST(SetIdFiles, WithoutUserNamespacesTheServerCannotPlantASetIdProgramEither) {
  TempDir grant;
  ASSERT_EQ(chmod(grant.path().c_str(), 0777), 0);
  expect_no_set_id_program(grant, kNoUserNamespaces);
}

}  // namespace
}  // namespace mcpsandbox::testing
