//! Backlogs for `frontdesk-poller import`: a `.eml` file, a directory of `.eml` files (walked
//! recursively), a Maildir (`cur/` and `new/`) or an mbox file, read as one stream of raw
//! messages in a stable order (file names sorted; mbox in file order).
//!
//! Reading is lazy — one message in memory at a time — so a backlog of any size imports in
//! bounded memory. Files are read with blocking I/O: the importer is a sequential batch tool.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use mail_parser::mailbox::mbox::MessageIterator;

/// One message of a backlog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BacklogMessage {
    /// The file path, or `path#n` for the n-th message (from 1) of an mbox.
    pub source: String,
    pub raw: Vec<u8>,
}

/// A backlog file or directory that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}")]
pub struct BacklogError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

fn error(path: &Path, source: std::io::Error) -> BacklogError {
    BacklogError {
        path: path.to_path_buf(),
        source,
    }
}

/// What kind of backlog a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BacklogKind {
    Eml,
    EmlDirectory,
    Maildir,
    Mbox,
}

/// The messages of a backlog, read one at a time.
pub struct Backlog {
    kind: BacklogKind,
    inner: Inner,
}

enum Inner {
    Files(std::vec::IntoIter<PathBuf>),
    Mbox {
        path: PathBuf,
        messages: MessageIterator<BufReader<File>>,
        index: usize,
    },
}

impl std::fmt::Debug for Backlog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backlog")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Backlog {
    /// Opens `path`, deciding what it is: a directory with `cur/` or `new/` is a Maildir, any
    /// other directory holds `.eml` files; a file starting with `From ` is an mbox, any other
    /// file one message.
    ///
    /// # Errors
    /// [`BacklogError`] when `path` or a directory in it cannot be read.
    pub fn open(path: &Path) -> Result<Self, BacklogError> {
        let meta = std::fs::metadata(path).map_err(|e| error(path, e))?;
        if meta.is_dir() {
            if path.join("cur").is_dir() || path.join("new").is_dir() {
                let mut files = Vec::new();
                for sub in ["cur", "new"] {
                    let dir = path.join(sub);
                    if dir.is_dir() {
                        files.extend(sorted_files(&dir, &|_| true, false)?);
                    }
                }
                return Ok(Self::files(BacklogKind::Maildir, files));
            }
            let eml = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("eml"));
            let files = sorted_files(path, &eml, true)?;
            return Ok(Self::files(BacklogKind::EmlDirectory, files));
        }
        let mut head = [0u8; 5];
        let mut file = File::open(path).map_err(|e| error(path, e))?;
        let n = read_prefix(&mut file, &mut head).map_err(|e| error(path, e))?;
        if &head[..n] == b"From " {
            let file = File::open(path).map_err(|e| error(path, e))?;
            return Ok(Self {
                kind: BacklogKind::Mbox,
                inner: Inner::Mbox {
                    path: path.to_path_buf(),
                    messages: MessageIterator::new(BufReader::with_capacity(256 * 1024, file)),
                    index: 0,
                },
            });
        }
        Ok(Self::files(BacklogKind::Eml, vec![path.to_path_buf()]))
    }

    fn files(kind: BacklogKind, files: Vec<PathBuf>) -> Self {
        Self {
            kind,
            inner: Inner::Files(files.into_iter()),
        }
    }

    #[must_use]
    pub fn kind(&self) -> BacklogKind {
        self.kind
    }

    /// How many messages are left, when that is known without reading them (not for mbox).
    #[must_use]
    pub fn remaining_hint(&self) -> Option<usize> {
        match &self.inner {
            Inner::Files(files) => Some(files.len()),
            Inner::Mbox { .. } => None,
        }
    }
}

impl Iterator for Backlog {
    type Item = Result<BacklogMessage, BacklogError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.inner {
            Inner::Files(files) => {
                let path = files.next()?;
                Some(
                    std::fs::read(&path)
                        .map(|raw| BacklogMessage {
                            source: path.display().to_string(),
                            raw,
                        })
                        .map_err(|e| error(&path, e)),
                )
            }
            Inner::Mbox {
                path,
                messages,
                index,
            } => {
                let next = messages.next()?;
                *index += 1;
                Some(
                    next.map(|m| BacklogMessage {
                        source: format!("{}#{index}", path.display()),
                        raw: m.unwrap_contents(),
                    })
                    .map_err(|e| error(path, e)),
                )
            }
        }
    }
}

fn read_prefix(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// Regular files under `dir` accepted by `keep`, sorted by path; `recurse` walks
/// subdirectories (hidden ones skipped).
fn sorted_files(
    dir: &Path,
    keep: &dyn Fn(&Path) -> bool,
    recurse: bool,
) -> Result<Vec<PathBuf>, BacklogError> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| error(&dir, e))? {
            let entry = entry.map_err(|e| error(&dir, e))?;
            let path = entry.path();
            let mut kind = entry.file_type().map_err(|e| error(&path, e))?;
            if kind.is_symlink() {
                // Follow links, as `cp -L` would: a backlog assembled from links is common.
                kind = std::fs::metadata(&path)
                    .map_err(|e| error(&path, e))?
                    .file_type();
            }
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if kind.is_dir() && recurse && !hidden {
                pending.push(path);
            } else if kind.is_file() && !hidden && keep(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("frontdesk-backlog-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn sources(b: Backlog) -> Vec<String> {
        b.map(|m| m.unwrap().source).collect()
    }

    #[test]
    fn a_directory_of_eml_files_is_walked_in_name_order() {
        let dir = scratch("eml");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("b.eml"), "Subject: b\r\n\r\n").unwrap();
        std::fs::write(dir.join("a.EML"), "Subject: a\r\n\r\n").unwrap();
        std::fs::write(dir.join("notes.txt"), "skip").unwrap();
        std::fs::write(dir.join("sub/c.eml"), "Subject: c\r\n\r\n").unwrap();
        std::os::unix::fs::symlink(dir.join("b.eml"), dir.join("d-link.eml")).unwrap();
        let b = Backlog::open(&dir).unwrap();
        assert_eq!(b.kind(), BacklogKind::EmlDirectory);
        assert_eq!(b.remaining_hint(), Some(4));
        let got = sources(b);
        assert!(got[0].ends_with("a.EML") && got[1].ends_with("b.eml"));
        assert!(got[2].ends_with("d-link.eml") && got[3].ends_with("sub/c.eml"));
    }

    #[test]
    fn a_maildir_reads_cur_then_new() {
        let dir = scratch("maildir");
        for sub in ["cur", "new", "tmp"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        std::fs::write(dir.join("new/2.x"), "Subject: n\r\n\r\n").unwrap();
        std::fs::write(dir.join("cur/1.x:2,S"), "Subject: c\r\n\r\n").unwrap();
        std::fs::write(dir.join("tmp/3.x"), "partial").unwrap();
        let b = Backlog::open(&dir).unwrap();
        assert_eq!(b.kind(), BacklogKind::Maildir);
        let got = sources(b);
        assert_eq!(got.len(), 2);
        assert!(got[0].ends_with("cur/1.x:2,S") && got[1].ends_with("new/2.x"));
    }

    #[test]
    fn an_mbox_is_split_with_from_quoting_undone() {
        let dir = scratch("mbox");
        let path = dir.join("archive.mbox");
        std::fs::write(
            &path,
            "From a@b Mon Jan  1 00:00:00 2024\nSubject: one\n\n>From the start\n\n\
             From c@d Mon Jan  1 00:00:01 2024\nSubject: two\n\nbody\n",
        )
        .unwrap();
        let b = Backlog::open(&path).unwrap();
        assert_eq!(b.kind(), BacklogKind::Mbox);
        let got: Vec<BacklogMessage> = b.map(Result::unwrap).collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].source, format!("{}#1", path.display()));
        assert!(String::from_utf8_lossy(&got[0].raw).contains("\nFrom the start"));
        assert!(String::from_utf8_lossy(&got[1].raw).starts_with("Subject: two"));
    }

    #[test]
    fn a_single_file_and_a_missing_path() {
        let dir = scratch("single");
        let path = dir.join("one.eml");
        std::fs::write(&path, "Subject: x\r\n\r\n").unwrap();
        let b = Backlog::open(&path).unwrap();
        assert_eq!(b.kind(), BacklogKind::Eml);
        assert_eq!(sources(b).len(), 1);
        assert!(Backlog::open(&dir.join("missing")).is_err());
    }
}
