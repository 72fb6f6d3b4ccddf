//===- Files.cpp - Atomic file replacement -----------------------------------===//

#include "svic/runtime/Engine.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace svic::runtime {

namespace {

[[noreturn]] void failWith(const std::string &Path, const char *What) {
  throw RuntimeError(Path + ": cannot " + What + ": " + std::strerror(errno));
}

} // namespace

void writeFileAtomically(const std::string &Path, const std::string &Bytes) {
  size_t Slash = Path.find_last_of('/');
  std::string Dir = Slash == std::string::npos ? "." : (Slash == 0 ? "/" : Path.substr(0, Slash));
  // The temporary lives next to the target so that rename stays within one
  // file system; the pid and a counter keep concurrent writers apart.
  static std::atomic<uint64_t> Counter{0};
  std::string Tmp = Path + ".tmp." + std::to_string(getpid()) + "." + std::to_string(Counter++);
  int Fd = ::open(Tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (Fd < 0)
    failWith(Path, "create a temporary file");
  const char *P = Bytes.data();
  size_t Left = Bytes.size();
  while (Left > 0) {
    ssize_t N = ::write(Fd, P, Left);
    if (N < 0 && errno == EINTR)
      continue;
    if (N < 0) {
      int Saved = errno;
      ::close(Fd);
      ::unlink(Tmp.c_str());
      errno = Saved;
      failWith(Path, "write");
    }
    P += N;
    Left -= static_cast<size_t>(N);
  }
  if (::fsync(Fd) != 0 || ::close(Fd) != 0) {
    int Saved = errno;
    ::unlink(Tmp.c_str());
    errno = Saved;
    failWith(Path, "flush");
  }
  if (::rename(Tmp.c_str(), Path.c_str()) != 0) {
    int Saved = errno;
    ::unlink(Tmp.c_str());
    errno = Saved;
    failWith(Path, "rename the temporary file");
  }
  // Make the rename itself durable.
  int DirFd = ::open(Dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (DirFd < 0)
    failWith(Dir, "open the directory");
  int Rc = ::fsync(DirFd);
  ::close(DirFd);
  if (Rc != 0)
    failWith(Dir, "sync the directory");
}

} // namespace svic::runtime
