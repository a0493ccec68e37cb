// Swapping two paths in one system call, so that replacing a context file hands back exactly
// the file that was replaced: Linux renameat2(RENAME_EXCHANGE), macOS renamex_np(RENAME_SWAP),
// Windows ReplaceFileW with a backup name. A peer's rename that lands an instant before ours is
// then in our hands, never silently gone. Node has no binding for these calls: koffi (a
// well-kept FFI library whose prebuilt binaries come as per-platform packages, without an
// install script) calls libc directly, about 50 µs a call.
//
// Loaded once, asynchronously (importing koffi costs ~25 ms, which a command that only reads
// never pays). Where it cannot load or the platform has no such call, `exchangeSync` throws
// ENOSYS and the caller falls back to a hard link and a rename (docs/FORMAT.md says which path
// each platform takes).

type Exchange = (from: string, to: string) => void;

let exchange: Exchange | undefined;
let loading: Promise<void> | undefined;
/** Why there is no exchange here (for the docs, diagnostics and tests). */
export let exchangeUnavailable: string | undefined = 'not loaded yet';

function errnoError(errno: number, syscall: string, from: string, to: string): NodeJS.ErrnoException {
  const codes: Record<number, string> = process.platform === 'linux'
    ? { 1: 'EPERM', 2: 'ENOENT', 13: 'EACCES', 16: 'EBUSY', 18: 'EXDEV', 22: 'EINVAL', 28: 'ENOSPC', 30: 'EROFS', 38: 'ENOSYS', 95: 'EOPNOTSUPP', 5: 'EIO' }
    : { 1: 'EPERM', 2: 'ENOENT', 13: 'EACCES', 16: 'EBUSY', 18: 'EXDEV', 22: 'EINVAL', 28: 'ENOSPC', 30: 'EROFS', 78: 'ENOSYS', 45: 'ENOTSUP', 5: 'EIO' };
  const code = codes[errno] ?? `E${errno}`;
  const error = new Error(`${code}: ${syscall} '${from}' -> '${to}' failed (errno ${errno})`) as NodeJS.ErrnoException;
  error.code = code;
  error.errno = -errno;
  error.syscall = syscall;
  error.path = from;
  return error;
}

interface Koffi {
  load(name: string): { func(signature: string): (...args: unknown[]) => number };
  errno(): number;
}

function bind(koffi: Koffi): Exchange | string {
  if (process.platform === 'linux') {
    let libc;
    try {
      libc = koffi.load('libc.so.6');
    } catch {
      return 'libc.so.6 not found (not glibc)';
    }
    let renameat2;
    try {
      renameat2 = libc.func('int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)');
    } catch {
      return 'this libc has no renameat2 (glibc older than 2.28)';
    }
    const AT_FDCWD = -100;
    const RENAME_EXCHANGE = 2;
    return (from, to) => {
      if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_EXCHANGE) !== 0) throw errnoError(koffi.errno(), 'renameat2', from, to);
    };
  }
  if (process.platform === 'darwin') {
    const libc = koffi.load('libSystem.B.dylib');
    let renamexNp;
    try {
      renamexNp = libc.func('int renamex_np(const char *from, const char *to, unsigned int flags)');
    } catch {
      return 'this macOS has no renamex_np (older than 10.12)';
    }
    const RENAME_SWAP = 0x2;
    return (from, to) => {
      if (renamexNp(from, to, RENAME_SWAP) !== 0) throw errnoError(koffi.errno(), 'renamex_np', from, to);
    };
  }
  if (process.platform === 'win32') {
    // ReplaceFileW(replaced, replacement, backup, flags, 0, 0): `to` gets `from`'s content and
    // the file it replaced is kept as `from` (the backup name): the same outcome as a swap.
    const kernel32 = koffi.load('kernel32.dll');
    const replaceFile = kernel32.func('bool __stdcall ReplaceFileW(const char16_t *replaced, const char16_t *replacement, const char16_t *backup, uint32_t flags, void *exclude, void *reserved)');
    const getLastError = kernel32.func('uint32_t __stdcall GetLastError()');
    return (from, to) => {
      if (!replaceFile(to, from, from, 0, null, null)) {
        const code = getLastError();
        // ERROR_FILE_NOT_FOUND / ERROR_UNABLE_TO_REMOVE_REPLACED etc.: reported as the POSIX codes the caller expects.
        throw errnoError(code === 2 ? 2 : code === 5 ? 13 : 5, 'ReplaceFileW', from, to);
      }
    };
  }
  return `no atomic exchange on ${process.platform}`;
}

/** Loads the exchange call once (a no-op after the first time). Never rejects. */
export function loadAtomicExchange(): Promise<void> {
  loading ??= import('koffi').then(
    (module) => {
      const koffi = ((module as { default?: unknown }).default ?? module) as Koffi;
      const bound = bind(koffi);
      if (typeof bound === 'string') exchangeUnavailable = bound;
      else {
        exchange = bound;
        exchangeUnavailable = undefined;
      }
    },
    (error: unknown) => {
      exchangeUnavailable = `koffi could not be loaded (${(error as Error)?.message ?? String(error)})`;
    },
  );
  return loading;
}

/**
 * Atomically swaps the files at `from` and `to` (both must exist). Throws ENOSYS where there is
 * no exchange (or it is not loaded), and the system's error otherwise (EINVAL: this file system
 * cannot exchange).
 */
export function exchangeFilesSync(from: string, to: string): void {
  if (!exchange) throw errnoError(process.platform === 'linux' ? 38 : 78, 'exchange', from, to);
  exchange(from, to);
}
