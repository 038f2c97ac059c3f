//! One way in, one way out: every file the tool reads goes through [`read_text`] /
//! [`read_bytes`] (regular files only, never blocking, never more than a limit), and every
//! file it writes goes through [`write_atomic`] (temporary file beside the target, fsync,
//! rename; never through a symbolic link; the target's mode kept, new files get the
//! umask's) or [`write_within`] (the same, below a folder no link may lead out of).

use std::fs::File;
use std::io::{Read as _, Write as _};
use std::os::unix::fs::{FileTypeExt as _, OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Component, Path, PathBuf};

/// Terraform source files (`*.tf`, `*.tfvars`): sixty times the largest file of the
/// corpus, room for the generated inputs of `cargo bench --bench big`. Memory grows
/// linearly with the file (`benches/big.rs` prints the figures): about 80 bytes per byte
/// of ordinary Terraform with a finding on every block (a 5.5 MB answer of 62,813 blocks:
/// 2.1 s, 441 MB), about 220 per byte for the densest input known (one string of
/// interpolations, whose parse tree alone is 1 KB per `${var.x}`). The cap is what
/// bounds one file's analysis, at worst about 1.4 GB.
pub const MAX_SOURCE_BYTES: u64 = 6 * 1024 * 1024;
/// Markdown answers and ideals: the same bound, for the same reason.
pub const MAX_MARKDOWN_BYTES: u64 = 6 * 1024 * 1024;
/// `review.json`: about 80,000 decisions.
pub const MAX_REVIEW_BYTES: u64 = 32 * 1024 * 1024;
/// Configuration, `.gitignore`, themes.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;
/// Label tables and other data files.
pub const MAX_DATA_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file could not be read. The message never repeats the path: callers say which
/// file it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    NotFound,
    /// A FIFO, socket, device or folder: never opened for reading, so never blocking.
    NotRegular {
        kind: &'static str,
    },
    TooLarge {
        bytes: u64,
        limit: u64,
    },
    NotUtf8 {
        valid_up_to: usize,
    },
    Io(String),
    /// Read, but unusable; the text says why (it follows the file's name).
    Unusable(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::NotFound => write!(f, "does not exist (or is a broken symbolic link)"),
            ReadError::NotRegular { kind } => write!(f, "is a {kind}, not a regular file"),
            ReadError::TooLarge { bytes, limit } => write!(
                f,
                "is {}, larger than the {} limit",
                human_size(*bytes),
                human_size(*limit)
            ),
            ReadError::NotUtf8 { valid_up_to } => write!(
                f,
                "is not valid UTF-8 (first invalid byte at offset {valid_up_to})"
            ),
            ReadError::Io(e) => write!(f, "cannot be read: {e}"),
            ReadError::Unusable(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for ReadError {}

/// `bytes` as people read sizes: `5.2 MB`, `3.0 KB`, `12 bytes`.
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / 1_048_576.0)
    } else if bytes >= 1024 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

fn io_message(e: &std::io::Error) -> String {
    // `Display` of an OS error is "Permission denied (os error 13)"; keep it as is, once.
    e.to_string()
}

/// What kind of non-regular file `t` is, in words.
pub fn kind_of(t: std::fs::FileType) -> &'static str {
    if t.is_dir() {
        "folder"
    } else if t.is_fifo() {
        "FIFO (named pipe)"
    } else if t.is_socket() {
        "socket"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_block_device() {
        "block device"
    } else if t.is_symlink() {
        "symbolic link"
    } else {
        "special file"
    }
}

/// The bytes of the regular file at `path` (symbolic links followed, as Terraform
/// follows them), at most `limit` of them. Opening never blocks: FIFOs and devices are
/// refused by their type after a non-blocking open, and the size is checked both before
/// and while reading (a file that grows, or lies about its size, stops at the limit).
pub fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| match e.kind() {
            // A path through a file (`file.txt/x`) names nothing that can exist.
            std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory => ReadError::NotFound,
            _ => ReadError::Io(io_message(&e)),
        })?;
    let meta = file.metadata().map_err(|e| ReadError::Io(io_message(&e)))?;
    if !meta.is_file() {
        return Err(ReadError::NotRegular {
            kind: kind_of(meta.file_type()),
        });
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            bytes: meta.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| ReadError::Io(io_message(&e)))?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            bytes: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// As [`read_bytes`], as UTF-8 text.
pub fn read_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    String::from_utf8(read_bytes(path, limit)?).map_err(|e| ReadError::NotUtf8 {
        valid_up_to: e.utf8_error().valid_up_to(),
    })
}

/// As [`read_text`], with `None` for a file that does not exist.
pub fn read_text_if_exists(path: &Path, limit: u64) -> Result<Option<String>, ReadError> {
    match read_text(path, limit) {
        Ok(text) => Ok(Some(text)),
        Err(ReadError::NotFound) => Ok(None),
        Err(e) => Err(e),
    }
}

/// An error about `path`, for writers.
fn refused(path: &Path, why: &str) -> std::io::Error {
    std::io::Error::other(format!("{} {why}", path.display()))
}

/// Writes `bytes` to `path` so that it is either the old or the new file, whatever
/// happens: a temporary file in the same folder, written, flushed to disk, renamed over
/// the target, and the folder synced. A target that is a symbolic link (or a FIFO, a
/// device, a folder) is refused, never written through. An existing file keeps its
/// permission bits; a new one gets those of the umask (0666 masked), like any file the
/// user creates.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mode = match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            return Err(refused(
                path,
                "is a symbolic link; tfreview does not write through links",
            ));
        }
        Ok(meta) if !meta.is_file() => {
            return Err(refused(
                path,
                &format!("is a {}, not a regular file", kind_of(meta.file_type())),
            ));
        }
        Ok(meta) => Some(meta.permissions().mode() & 0o7777),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    // `.tmpXXXXXX` beside the target: hidden, and recognisable if a kill leaves one.
    let mut tmp = tempfile::Builder::new()
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)?;
    if let Some(mode) = mode {
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    if let Ok(d) = File::open(dir) {
        // Best effort: not every filesystem can sync a folder.
        let _ = d.sync_all();
    }
    Ok(())
}

/// The folders from `base` down to `rel`'s parent, created where missing, each checked
/// to be a real folder (not a symbolic link), so that nothing written below lands
/// outside `base`. `rel` must be relative and must not climb (`..`).
pub fn safe_parent(base: &Path, rel: &Path) -> std::io::Result<PathBuf> {
    walk_parents(base, rel, true)
}

/// Checks what [`safe_parent`] checks, creating nothing: every folder on the way that
/// exists is a real folder.
pub fn check_parents(base: &Path, rel: &Path) -> std::io::Result<()> {
    walk_parents(base, rel, false).map(|_| ())
}

fn walk_parents(base: &Path, rel: &Path, create: bool) -> std::io::Result<PathBuf> {
    let mut dir = base.to_path_buf();
    let parts: Vec<Component<'_>> = rel.components().collect();
    if parts.is_empty() {
        return Err(refused(rel, "is not a file name"));
    }
    for part in &parts[..parts.len() - 1] {
        match part {
            Component::Normal(name) => dir.push(name),
            Component::CurDir => continue,
            _ => return Err(refused(rel, "leaves the folder it is written into")),
        }
        match std::fs::symlink_metadata(&dir) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(refused(
                    &dir,
                    "is a symbolic link; tfreview does not write through links",
                ));
            }
            Ok(meta) if meta.is_dir() => {}
            Ok(meta) => {
                return Err(refused(
                    &dir,
                    &format!("is a {}, not a folder", kind_of(meta.file_type())),
                ));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => break,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                match std::fs::create_dir(&dir) {
                    Ok(()) => {}
                    // Made by someone else meanwhile: checked again below.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(e),
                }
                let meta = std::fs::symlink_metadata(&dir)?;
                if !meta.is_dir() {
                    return Err(refused(&dir, "is not a folder"));
                }
            }
            Err(e) => return Err(e),
        }
    }
    if !matches!(parts.last(), Some(Component::Normal(_))) {
        return Err(refused(rel, "is not a file name"));
    }
    Ok(dir)
}

/// Writes `bytes` to `base/rel` with [`write_atomic`], after [`safe_parent`] made sure
/// that no folder on the way is a link out of `base`.
pub fn write_within(base: &Path, rel: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let dir = safe_parent(base, rel)?;
    let target = match rel.file_name() {
        Some(name) => dir.join(name),
        None => return Err(refused(rel, "is not a file name")),
    };
    write_atomic(&target, bytes)?;
    Ok(target)
}

/// An exclusive advisory lock (`flock`) on a folder, held until dropped: no lock file is
/// left behind, and a folder that is a link is refused.
pub struct Lock {
    _dir: File,
}

impl Lock {
    /// Waits for the lock on the folder `dir`.
    pub fn exclusive(dir: &Path) -> std::io::Result<Lock> {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_DIRECTORY | libc::O_NOCTTY)
            .open(dir)
            .map_err(|e| match e.raw_os_error() {
                Some(libc::ELOOP) | Some(libc::ENOTDIR) => refused(dir, "is not a real folder"),
                _ => e,
            })?;
        use std::os::fd::AsRawFd as _;
        loop {
            // SAFETY: a valid open file descriptor, owned by `file` for the whole call.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
            if rc == 0 {
                return Ok(Lock { _dir: file });
            }
            let err = std::io::Error::last_os_error();
            if err.kind() != std::io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_refuse_fifos_devices_folders_and_oversize_files_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("f");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        assert_eq!(
            read_text(&fifo, 10),
            Err(ReadError::NotRegular {
                kind: "FIFO (named pipe)"
            })
        );
        assert_eq!(
            read_text(Path::new("/dev/zero"), 10),
            Err(ReadError::NotRegular {
                kind: "character device"
            })
        );
        assert_eq!(
            read_text(dir.path(), 10),
            Err(ReadError::NotRegular { kind: "folder" })
        );
        let big = dir.path().join("big");
        std::fs::write(&big, "x".repeat(11)).unwrap();
        assert_eq!(
            read_text(&big, 10),
            Err(ReadError::TooLarge {
                bytes: 11,
                limit: 10
            })
        );
        assert_eq!(read_text(&big, 11).unwrap().len(), 11);
        assert_eq!(
            read_text(&dir.path().join("none"), 10),
            Err(ReadError::NotFound)
        );
        std::fs::write(&big, b"ab\xffc").unwrap();
        assert_eq!(
            read_text(&big, 10),
            Err(ReadError::NotUtf8 { valid_up_to: 2 })
        );
    }

    #[test]
    fn writes_keep_the_mode_refuse_links_and_never_leave_the_base() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.md");
        std::fs::write(&target, "old").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&target, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);

        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let link = dir.path().join("link.md");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let err = write_atomic(&link, b"x").unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");

        std::os::unix::fs::symlink(outside.path(), dir.path().join("sub")).unwrap();
        let err = write_within(dir.path(), Path::new("sub/x.tf"), b"x").unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(!outside.path().join("x.tf").exists());
        let err = write_within(dir.path(), Path::new("../x.tf"), b"x").unwrap_err();
        assert!(err.to_string().contains("leaves"), "{err}");
        let written = write_within(dir.path(), Path::new("a/b/c.tf"), b"c").unwrap();
        assert_eq!(std::fs::read_to_string(written).unwrap(), "c");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("a/b"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec!["c.tf"]);
    }

    #[test]
    fn new_files_get_the_umask_mode_not_0600() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("new.json");
        write_atomic(&target, b"{}").unwrap();
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let mask = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .map(|m| u32::from_str_radix(m.trim(), 8).unwrap())
            .unwrap();
        let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !mask);
    }
}
