//! Which files a customer may attach: how many, how large, and — where only images are taken —
//! recognised by their first bytes, never by their name or the type the browser claimed.

/// How many files a customer may attach to one request or reply, and how large each may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileLimits {
    pub max_files: usize,
    pub max_bytes: usize,
}

impl Default for FileLimits {
    /// Five files of 5 MB, as the source documents' form takes.
    fn default() -> Self {
        Self {
            max_files: 5,
            max_bytes: 5 * 1024 * 1024,
        }
    }
}

/// Why a file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileProblem {
    #[error("at most {0} files")]
    TooMany(usize),
    #[error("a file may be at most {} MB", .0 / (1024 * 1024))]
    TooLarge(usize),
    #[error("the file is empty")]
    Empty,
    #[error("only images are taken here (PNG, JPEG, GIF, WebP, HEIC or AVIF)")]
    NotAnImage,
}

/// The image type `bytes` hold, by their signature.
#[must_use]
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    if starts(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if starts(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() >= 12 && starts(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        match &bytes[8..12] {
            b"heic" | b"heix" | b"mif1" | b"msf1" => Some("image/heic"),
            b"avif" | b"avis" => Some("image/avif"),
            _ => None,
        }
    } else {
        None
    }
}

/// Checks the file at position `index` (0-based) of those posted: within the count and size,
/// not empty, and an image by its content when only images are taken. Returns the content type
/// to store: the sniffed image type, or `claimed` for other files (served as downloads only).
///
/// # Errors
/// The [`FileProblem`] that refuses it.
pub fn check_file(
    limits: FileLimits,
    index: usize,
    bytes: &[u8],
    images_only: bool,
    claimed: &str,
) -> Result<String, FileProblem> {
    if index >= limits.max_files {
        return Err(FileProblem::TooMany(limits.max_files));
    }
    if bytes.len() > limits.max_bytes {
        return Err(FileProblem::TooLarge(limits.max_bytes));
    }
    if bytes.is_empty() {
        return Err(FileProblem::Empty);
    }
    match sniff_image(bytes) {
        Some(image) => Ok(image.to_owned()),
        None if images_only => Err(FileProblem::NotAnImage),
        // A claimed image type on something that is not one is not believed.
        None if claimed.trim().to_ascii_lowercase().starts_with("image/") => {
            Ok("application/octet-stream".to_owned())
        }
        None => Ok(claimed.trim().to_owned()),
    }
}

/// A file of a message refused, by its name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{filename}: {problem}")]
pub struct FileRefused {
    pub filename: String,
    pub problem: FileProblem,
}

/// The files of a customer's message or plain request (no question asks for images only),
/// each checked with [`check_file`] and given the content type to store.
///
/// # Errors
/// [`FileRefused`] for the first file refused.
pub fn check_files(
    limits: FileLimits,
    files: Vec<crate::ports::OutboundAttachment>,
) -> Result<Vec<crate::ports::OutboundAttachment>, FileRefused> {
    files
        .into_iter()
        .enumerate()
        .map(|(i, mut file)| {
            match check_file(limits, i, &file.content, false, &file.content_type) {
                Ok(content_type) => {
                    file.content_type = content_type;
                    Ok(file)
                }
                Err(problem) => Err(FileRefused {
                    filename: file.filename,
                    problem,
                }),
            }
        })
        .collect()
}
