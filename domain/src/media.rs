//! Avatars and private verification documents: upload, validation,
//! re-encoding and storage.
//!
//! Every upload goes through the same pipeline: the bytes are sniffed (the
//! file name and the client's content type are not trusted), the header's
//! dimensions are checked before a single pixel is decoded (a 40 KB PNG can
//! claim 100 000 × 100 000 pixels), the image is decoded with hard limits,
//! and a new file is encoded from the pixels alone. Re-encoding is what
//! strips EXIF (GPS positions, camera serials) and anything smuggled after
//! the image data. Decoding and resizing are CPU-bound, so they run on the
//! blocking pool.
//!
//! Files are named by the SHA-256 of their encoded bytes, so the same image
//! is stored once and a new avatar has a new URL (cacheable forever).
//! Avatars live under `<media>/avatars/` and are public; documents live under
//! `<media>/private/` and are only read through [`UserCenter::own_document`]
//! and [`UserCenter::read_private_document`].

use crate::audit::AuditEvent;
use crate::caller::Operator;
use crate::store::media::DocumentRow;
use crate::upload_limits::Upload;
use crate::{clock, store, DomainError, UserCenter};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, RgbImage};
use sha2::{Digest, Sha256};
use shared::admin::AuditAction;
use shared::dto::UserProfile;
use shared::media::{
    is_avatar_hash, DocumentInfo, DocumentKind, AVATAR_SIZES, DOCUMENT_MAX_SIDE, MAX_IMAGE_BYTES,
    MAX_IMAGE_SIDE,
};
use shared::profile::AccountState;
use shared::{AppError, ErrorCode};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// Largest decoded buffer allowed (4096² RGBA at 16 bits is 128 MiB).
const MAX_DECODE_ALLOC: u64 = 160 * 1024 * 1024;
/// Before the careful resize, huge sources are first shrunk with a fast
/// filter to this side; the final quality is the same, the work far less.
const PRESHRINK_SIDE: u32 = 2048;
/// JPEG quality of stored documents: text on an ID card stays sharp.
const DOCUMENT_JPEG_QUALITY: u8 = 85;

/// Where media files live, the lock that keeps "is this file still used?"
/// and "start using this file" from interleaving, and the permits that
/// bound how many images are decoded at once.
pub(crate) struct MediaStore {
    dir: PathBuf,
    pub(crate) lock: tokio::sync::Mutex<()>,
    /// One per core: a decode may hold up to [`MAX_DECODE_ALLOC`] bytes, so
    /// a burst of uploads waits its turn instead of exhausting memory (the
    /// blocking pool alone would run hundreds at once).
    decoders: tokio::sync::Semaphore,
}

impl MediaStore {
    pub(crate) fn new(dir: PathBuf) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        MediaStore {
            dir,
            lock: tokio::sync::Mutex::new(()),
            decoders: tokio::sync::Semaphore::new(cores),
        }
    }

    /// Runs an image pipeline on the blocking pool, within the permits.
    async fn process<T: Send + 'static>(
        &self,
        bytes: Vec<u8>,
        pipeline: fn(&[u8]) -> Result<T, DomainError>,
    ) -> Result<T, DomainError> {
        let _permit = self
            .decoders
            .acquire()
            .await
            .map_err(|_| DomainError::Io(std::io::Error::other("image decoder pool closed")))?;
        tokio::task::spawn_blocking(move || pipeline(&bytes)).await?
    }

    pub(crate) fn avatar_path(&self, hash: &str, size: u32) -> PathBuf {
        self.dir
            .join("avatars")
            .join(&hash[..2])
            .join(format!("{hash}-{size}.png"))
    }

    fn private_dir(&self) -> PathBuf {
        self.dir.join("private")
    }

    /// A stored relative path inside the private directory; `None` for one
    /// that could leave it.
    pub(crate) fn private_path(&self, relative: &str) -> Option<PathBuf> {
        safe_relative(relative).then(|| self.private_dir().join(relative))
    }

    /// Where every media file lives; its disk is the one whose free space
    /// is checked before an upload.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// Deletes a private file by its stored relative path (written only by
    /// [`UserCenter::upload_document`]; anything else is ignored).
    pub(crate) fn remove_private_file(&self, relative: &str) -> Result<(), DomainError> {
        if !safe_relative(relative) {
            return Ok(());
        }
        remove_if_present(&self.private_dir().join(relative))
    }
}

/// An avatar re-encoded at every size of [`AVATAR_SIZES`].
pub struct ProcessedAvatar {
    /// Hex SHA-256 of the largest PNG; names every size.
    pub hash: String,
    /// `(size, PNG bytes)`, largest first.
    pub files: Vec<(u32, Vec<u8>)>,
}

/// A document re-encoded as JPEG.
pub struct ProcessedDocument {
    pub hash: String,
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

/// A private document's image and whose it is.
pub struct PrivateDocument {
    pub info: DocumentInfo,
    pub user_id: i64,
    pub sha256: String,
    /// Always JPEG.
    pub bytes: Vec<u8>,
}

fn rejected(code: ErrorCode, detail: impl std::fmt::Display) -> DomainError {
    tracing::debug!(code = code.as_str(), %detail, "image refused");
    AppError::new(code).into()
}

/// How a decoding failure is reported: the client's fault, never `INTERNAL`.
fn decode_error(e: ImageError) -> DomainError {
    let code = match &e {
        ImageError::Limits(_) => ErrorCode::ImageDimensionsTooLarge,
        ImageError::Unsupported(_) => ErrorCode::ImageUnsupported,
        ImageError::Decoding(_)
        | ImageError::Parameter(_)
        | ImageError::IoError(_)
        | ImageError::Encoding(_) => ErrorCode::ImageCorrupt,
    };
    rejected(code, e)
}

/// Checks the size of an upload before anything else looks at it.
fn check_length(bytes: &[u8]) -> Result<(), DomainError> {
    if bytes.is_empty() {
        return Err(ErrorCode::ImageEmpty.into());
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(rejected(ErrorCode::ImageTooLarge, bytes.len()));
    }
    Ok(())
}

/// Sniffs, checks and decodes an upload (JPEG, PNG, WebP or GIF; the first
/// frame of an animation), turned upright by its EXIF orientation.
///
/// The header's width and height are compared with [`MAX_IMAGE_SIDE`]
/// before decoding; [`Limits`] backs that up inside the decoders.
pub fn decode_upload(bytes: &[u8]) -> Result<DynamicImage, DomainError> {
    check_length(bytes)?;
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| rejected(ErrorCode::ImageCorrupt, e))?;
    match reader.format() {
        Some(ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Gif) => {}
        other => return Err(rejected(ErrorCode::ImageUnsupported, format!("{other:?}"))),
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(rejected(
            ErrorCode::ImageDimensionsTooLarge,
            format!("{width}x{height}"),
        ));
    }
    if width == 0 || height == 0 {
        return Err(rejected(ErrorCode::ImageCorrupt, "no pixels"));
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// Shrinks a very large image quickly, keeping its aspect ratio, so the
/// Lanczos pass that follows has little to do.
fn preshrink(image: DynamicImage, target: u32) -> DynamicImage {
    let limit = PRESHRINK_SIDE.max(target * 4);
    if image.width().max(image.height()) > limit {
        image.thumbnail(limit, limit)
    } else {
        image
    }
}

/// Keeps colour and alpha as they are, but as 8-bit: what PNG stores best.
fn to_8bit(image: DynamicImage) -> DynamicImage {
    if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.to_rgb8())
    }
}

fn encode_png(image: &DynamicImage) -> Result<Vec<u8>, DomainError> {
    let mut out = Vec::new();
    image.write_with_encoder(PngEncoder::new(&mut out))?;
    Ok(out)
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The avatar pipeline: decode, crop the centred square, resize to each of
/// [`AVATAR_SIZES`] and encode as PNG (alpha kept, metadata gone). The
/// smaller sizes are made from the largest, so the hash of the largest
/// names them all.
pub fn process_avatar(bytes: &[u8]) -> Result<ProcessedAvatar, DomainError> {
    let image = decode_upload(bytes)?;
    let (w, h) = (image.width(), image.height());
    let side = w.min(h);
    let square = image.crop_imm((w - side) / 2, (h - side) / 2, side, side);
    let largest = AVATAR_SIZES[0];
    let big =
        to_8bit(preshrink(square, largest).resize_exact(largest, largest, FilterType::Lanczos3));
    let mut files = Vec::with_capacity(AVATAR_SIZES.len());
    files.push((largest, encode_png(&big)?));
    for &size in &AVATAR_SIZES[1..] {
        files.push((
            size,
            encode_png(&big.resize_exact(size, size, FilterType::Lanczos3))?,
        ));
    }
    let hash = sha256_hex(&files[0].1);
    Ok(ProcessedAvatar { hash, files })
}

/// Transparent pixels over white: JPEG has no alpha, and a scan with a
/// transparent border should not turn black.
fn flatten_on_white(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let p = rgba.get_pixel(x, y);
        let a = u32::from(p[3]);
        let blend = |c: u8| ((u32::from(c) * a + 255 * (255 - a) + 127) / 255) as u8;
        image::Rgb([blend(p[0]), blend(p[1]), blend(p[2])])
    })
}

/// The document pipeline: decode, scale down to at most
/// [`DOCUMENT_MAX_SIDE`] on the longest side (never up, never cropped) and
/// encode as JPEG.
pub fn process_document(bytes: &[u8]) -> Result<ProcessedDocument, DomainError> {
    let mut image = decode_upload(bytes)?;
    if image.width().max(image.height()) > DOCUMENT_MAX_SIDE {
        image = preshrink(image, DOCUMENT_MAX_SIDE).resize(
            DOCUMENT_MAX_SIDE,
            DOCUMENT_MAX_SIDE,
            FilterType::Lanczos3,
        );
    }
    let rgb = flatten_on_white(&image);
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, DOCUMENT_JPEG_QUALITY).encode_image(&rgb)?;
    Ok(ProcessedDocument {
        hash: sha256_hex(&jpeg),
        width: rgb.width(),
        height: rgb.height(),
        jpeg,
    })
}

/// Writes `bytes` to `path` unless an identical (same-hash) file is already
/// there: through a temporary file and a rename, so a reader never sees
/// half a file.
pub(crate) fn write_once(path: &Path, bytes: &[u8]) -> Result<(), DomainError> {
    if path.exists() {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    std::fs::write(&tmp, bytes)?;
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.into());
    }
    Ok(())
}

/// Of the paths of deleted document rows, those no other row uses any more
/// (identical photos share a file), each once: the files to remove after
/// the caller's transaction commits.
pub(crate) async fn unused_document_paths(
    conn: &mut store::Conn,
    paths: &[String],
) -> Result<Vec<String>, DomainError> {
    let mut unused: Vec<String> = Vec::new();
    for path in paths {
        if !unused.contains(path) && store::media::path_users(conn, path).await? == 0 {
            unused.push(path.clone());
        }
    }
    Ok(unused)
}

impl MediaStore {
    /// Removes private files by their stored relative paths, off the async
    /// runtime.
    pub(crate) async fn remove_private_files(
        self: &std::sync::Arc<Self>,
        paths: Vec<String>,
    ) -> Result<(), DomainError> {
        let media = self.clone();
        tokio::task::spawn_blocking(move || {
            paths
                .iter()
                .try_for_each(|path| media.remove_private_file(path))
        })
        .await?
    }
}

/// Where a document photo sealed under a data key is kept, relative to the
/// private directory. The key id is in the name, so re-sealing under a new
/// key writes a new file and the row moves to it in one update.
pub(crate) fn sealed_document_path(sha256: &str, key_id: i64) -> String {
    format!("documents/{}/{sha256}.k{key_id}.sealed", &sha256[..2])
}

/// Stored paths are written by `upload_document` only; anything that could
/// leave the private directory is refused.
fn safe_relative(path: &str) -> bool {
    !path.contains("..") && !path.starts_with('/')
}

pub(crate) fn remove_if_present(path: &Path) -> Result<(), DomainError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}

impl DocumentRow {
    fn info(&self) -> DocumentInfo {
        DocumentInfo {
            id: self.id,
            // The CHECK constraint admits only the three kinds.
            kind: DocumentKind::parse(&self.kind).unwrap_or(DocumentKind::Qualification),
            verification_id: self.verification_id,
            created_at: clock::rfc3339(self.created_at),
        }
    }
}

/// The columns of [`DocumentRow`], spliced into queries at compile time.
impl UserCenter {
    /// Replaces the user's avatar with an upload. A refused upload (empty,
    /// too large, not an image, damaged) changes nothing. Returns the
    /// profile with the new avatar URLs.
    pub async fn set_avatar(
        &self,
        user_id: i64,
        bytes: Vec<u8>,
    ) -> Result<UserProfile, DomainError> {
        check_length(&bytes)?;
        let current = self.profile(user_id).await?;
        if current.account_state == AccountState::Closed {
            return Err(ErrorCode::AccountClosed.into());
        }
        self.admit_upload(user_id, Upload::Avatar).await?;
        let processed = self.media.process(bytes, process_avatar).await?;
        let guard = self.media.lock.lock().await;
        let paths: Vec<(PathBuf, Vec<u8>)> = processed
            .files
            .into_iter()
            .map(|(size, png)| (self.media.avatar_path(&processed.hash, size), png))
            .collect();
        tokio::task::spawn_blocking(move || {
            paths
                .iter()
                .try_for_each(|(path, png)| write_once(path, png))
        })
        .await??;
        let previous = self
            .replace_avatar_hash(user_id, Some(&processed.hash))
            .await?;
        if let Some(old) = previous.filter(|old| *old != processed.hash) {
            self.forget_avatar_files(&old).await?;
        }
        tracing::info!(user_id, hash = %processed.hash, "avatar replaced");
        drop(guard);
        self.profile(user_id).await
    }

    /// Removes the user's avatar; the default one shows again. Removing
    /// when there is none is not an error.
    pub async fn remove_avatar(&self, user_id: i64) -> Result<UserProfile, DomainError> {
        let guard = self.media.lock.lock().await;
        if let Some(old) = self.replace_avatar_hash(user_id, None).await? {
            self.forget_avatar_files(&old).await?;
            tracing::info!(user_id, "avatar removed");
        }
        drop(guard);
        self.profile(user_id).await
    }

    /// Sets `users.avatar_hash`; returns the one it replaced.
    pub(crate) async fn replace_avatar_hash(
        &self,
        user_id: i64,
        hash: Option<&str>,
    ) -> Result<Option<String>, DomainError> {
        let mut tx = crate::store::begin_write(&self.pool).await?;
        let Some(previous) = store::media::avatar_of(&mut tx, user_id).await? else {
            return Err(ErrorCode::NotFound.into());
        };
        store::media::set_avatar(&mut tx, user_id, hash, self.now()).await?;
        tx.commit().await?;
        Ok(previous)
    }

    /// Deletes an avatar's files once no account uses them any more (the
    /// same picture may be several people's avatar). The caller holds the
    /// media lock, so no upload of the same picture is half done.
    pub(crate) async fn forget_avatar_files(&self, hash: &str) -> Result<(), DomainError> {
        let mut conn = self.pool.acquire().await?;
        let users = store::media::avatar_users(&mut conn, hash).await?;
        drop(conn);
        if users > 0 || !is_avatar_hash(hash) {
            return Ok(());
        }
        let paths: Vec<PathBuf> = AVATAR_SIZES
            .iter()
            .map(|&size| self.media.avatar_path(hash, size))
            .collect();
        tokio::task::spawn_blocking(move || paths.iter().try_for_each(|p| remove_if_present(p)))
            .await??;
        Ok(())
    }

    /// The PNG of a public avatar; `NOT_FOUND` for an unknown hash or size.
    pub async fn avatar_file(&self, hash: &str, size: u32) -> Result<Vec<u8>, DomainError> {
        if !is_avatar_hash(hash) || !AVATAR_SIZES.contains(&size) {
            return Err(ErrorCode::NotFound.into());
        }
        match tokio::fs::read(self.media.avatar_path(hash, size)).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(ErrorCode::NotFound.into()),
            Err(e) => Err(e.into()),
        }
    }

    /// Stores a photo for a later real-name or qualification submission
    /// (which references it by the returned id). Kept privately; nothing
    /// about it is public.
    pub async fn upload_document(
        &self,
        user_id: i64,
        kind: DocumentKind,
        bytes: Vec<u8>,
    ) -> Result<DocumentInfo, DomainError> {
        check_length(&bytes)?;
        let current = self.profile(user_id).await?;
        if current.account_state == AccountState::Closed {
            return Err(ErrorCode::AccountClosed.into());
        }
        // Refused before the image is decoded, and again under the lock
        // below, which a withdrawal of the consent also takes: no ID photo
        // lands after a withdrawal has deleted the others.
        self.require_document_consent(user_id, kind).await?;
        self.admit_upload(user_id, Upload::Document).await?;
        let processed = self.media.process(bytes, process_document).await?;
        // Sealed before it touches the disk (see `vault`).
        let (key_id, sealed) = self.vault().await?.seal_file(&processed.jpeg);
        let relative = sealed_document_path(&processed.hash, key_id);
        let path = self.media.private_dir().join(&relative);
        // Under the lock: parallel uploads cannot overshoot the quota, and
        // the sweep cannot remove the file between its write and its row.
        let guard = self.media.lock.lock().await;
        self.require_document_consent(user_id, kind).await?;
        let mut conn = self.pool.acquire().await?;
        self.check_document_quota(&mut conn, user_id).await?;
        drop(conn);
        tokio::task::spawn_blocking(move || write_once(&path, &sealed)).await??;
        let document = store::media::NewDocument {
            user_id,
            kind: kind.as_str(),
            sha256: &processed.hash,
            path: &relative,
            key_id,
            now: self.now(),
        };
        let mut conn = self.pool.acquire().await?;
        let row = store::media::insert_document(&mut conn, &document).await?;
        drop(conn);
        drop(guard);
        tracing::info!(
            user_id,
            document_id = row.id,
            kind = kind.as_str(),
            "document uploaded"
        );
        Ok(row.info())
    }

    /// `CONSENT_REQUIRED` for an ID-card photo without the consent to
    /// processing identity documents in force.
    async fn require_document_consent(
        &self,
        user_id: i64,
        kind: DocumentKind,
    ) -> Result<(), DomainError> {
        if kind == DocumentKind::Qualification {
            return Ok(());
        }
        let mut conn = self.pool.acquire().await?;
        self.require_consent(
            &mut conn,
            user_id,
            shared::privacy::ConsentPurpose::IdentityDocuments,
        )
        .await
    }

    /// The user's own documents, newest first.
    pub async fn documents(&self, user_id: i64) -> Result<Vec<DocumentInfo>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let rows = store::media::documents_of_user(&mut conn, user_id).await?;
        Ok(rows.iter().map(DocumentRow::info).collect())
    }

    /// The documents attached to a submission, in upload order.
    pub(crate) async fn verification_documents(
        &self,
        verification_id: i64,
    ) -> Result<Vec<DocumentInfo>, DomainError> {
        let mut conn = self.pool.acquire().await?;
        let rows = store::media::documents_of_verification(&mut conn, verification_id).await?;
        Ok(rows.iter().map(DocumentRow::info).collect())
    }

    /// Attaches a document to a new submission inside its transaction: it
    /// must be the user's, of the expected kind, and not yet attached
    /// (`INVALID_DOCUMENT` otherwise, and the submission is rolled back).
    pub(crate) async fn attach_document(
        &self,
        tx: &mut crate::store::Conn,
        user_id: i64,
        verification_id: i64,
        document_id: i64,
        kind: DocumentKind,
    ) -> Result<(), DomainError> {
        if store::media::attach(tx, document_id, user_id, kind.as_str(), verification_id).await? {
            Ok(())
        } else {
            Err(AppError::with_message(
                ErrorCode::InvalidDocument,
                format!("Document {document_id} is not an unattached {kind} photo of yours."),
            )
            .into())
        }
    }

    async fn load_document(&self, document_id: i64) -> Result<DocumentRow, DomainError> {
        let mut conn = self.pool.acquire().await?;
        store::media::document(&mut conn, document_id)
            .await?
            .ok_or_else(|| ErrorCode::NotFound.into())
    }

    pub(crate) async fn document_bytes(
        &self,
        row: DocumentRow,
    ) -> Result<PrivateDocument, DomainError> {
        if !safe_relative(&row.path) {
            return Err(ErrorCode::NotFound.into());
        }
        let file = tokio::fs::read(self.media.private_dir().join(&row.path)).await?;
        let bytes = match crate::vault::sealed_file_parts(&file) {
            Some(_) => self.open_document_file(&file).await?,
            // A photo from before encryption, not yet sealed at start-up.
            None => file,
        };
        Ok(PrivateDocument {
            info: row.info(),
            user_id: row.user_id,
            sha256: row.sha256,
            bytes,
        })
    }

    /// One of the user's own documents; another user's is `NOT_FOUND`, so
    /// ids reveal nothing.
    pub async fn own_document(
        &self,
        user_id: i64,
        document_id: i64,
    ) -> Result<PrivateDocument, DomainError> {
        let row = self.load_document(document_id).await?;
        if row.user_id != user_id {
            return Err(ErrorCode::NotFound.into());
        }
        self.document_bytes(row).await
    }

    /// Any user's document, for staff reviewing a submission (`FORBIDDEN`
    /// to everyone else). Every read is written to the audit log
    /// (`document_viewed`) with who read it, from where, and whose it is.
    pub async fn read_private_document(
        &self,
        op: impl Into<Operator>,
        document_id: i64,
    ) -> Result<PrivateDocument, DomainError> {
        let op = op.into();
        self.require_staff(op.id).await?;
        let row = self.load_document(document_id).await?;
        tracing::info!(
            staff_id = op.id,
            document_id,
            owner = row.user_id,
            "private document read by staff"
        );
        self.audit(
            AuditEvent::by_staff(AuditAction::DocumentViewed, &op, Some(row.user_id))
                .details(serde_json::json!({ "document_id": document_id })),
        )
        .await;
        self.document_bytes(row).await
    }
}
