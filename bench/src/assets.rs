//! What a browser downloads: the site's main files (WASM, script,
//! stylesheet) raw, gzip -9 and brotli q11, read from the built site, and
//! the bytes a first visit to a page transfers, fetched from the running
//! server as a browser asks for them (`Accept-Encoding: gzip, deflate, br`).

use http_body_util::BodyExt;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// A file's size as stored and compressed at the strongest settings.
pub struct Sizes {
    pub raw: usize,
    pub gzip: usize,
    pub brotli: usize,
}

/// The files with extension `ext` in `site_root/pkg` (not their compressed
/// copies, whose extension is `br` or `gz`).
fn pkg_files(site_root: &Path, ext: &str) -> Result<Vec<PathBuf>, String> {
    let pkg = site_root.join("pkg");
    let entries = std::fs::read_dir(&pkg).map_err(|e| format!("{}: {e}", pkg.display()))?;
    Ok(entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect())
}

/// The site's main file with extension `ext` in `site_root/pkg`: the
/// largest `user-center…` file (hashed or not).
pub fn main_file(site_root: &Path, ext: &str) -> Result<PathBuf, String> {
    pkg_files(site_root, ext)?
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("user-center"))
        })
        .max_by_key(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .ok_or_else(|| {
            format!(
                "no user-center*.{ext} in {}",
                site_root.join("pkg").display()
            )
        })
}

/// The summed sizes of every file with extension `ext` in `site_root/pkg`,
/// each compressed on its own, as each is sent.
pub fn all_sizes(site_root: &Path, ext: &str) -> Result<Sizes, String> {
    let mut total = Sizes {
        raw: 0,
        gzip: 0,
        brotli: 0,
    };
    for path in pkg_files(site_root, ext)? {
        let one = sizes(&path)?;
        total.raw += one.raw;
        total.gzip += one.gzip;
        total.brotli += one.brotli;
    }
    Ok(total)
}

pub fn sizes(path: &Path) -> Result<Sizes, String> {
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (gzip, brotli) = compressed_sizes(&data);
    Ok(Sizes {
        raw: data.len(),
        gzip,
        brotli,
    })
}

pub fn compressed_sizes(data: &[u8]) -> (usize, usize) {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = gz.write_all(data);
    let gz_len = gz.finish().map(|v| v.len()).unwrap_or(0);
    let mut br = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        ..Default::default()
    };
    let _ = brotli::BrotliCompress(&mut &data[..], &mut br, &params);
    (gz_len, br.len())
}

/// One response of a visit.
pub struct Fetched {
    pub path: String,
    /// Status line, headers and body as sent (the body compressed, if it was).
    pub bytes: usize,
    pub encoding: String,
    pub cache_control: String,
}

/// A first visit to `page` with an empty cache: the page, then every file
/// it names (stylesheet, script, WASM, icon) and every module the scripts
/// import, each once.
pub async fn first_visit(addr: SocketAddr, page: &str) -> Result<Vec<Fetched>, String> {
    let mut fetched = Vec::new();
    let mut queue = vec![page.to_string()];
    let mut seen = queue.clone();
    while let Some(path) = queue.pop() {
        let (one, text) = fetch(addr, &path).await?;
        fetched.push(one);
        let Some(text) = text else { continue };
        for reference in references(&path, &text) {
            if !seen.contains(&reference) {
                seen.push(reference.clone());
                queue.insert(0, reference);
            }
        }
    }
    Ok(fetched)
}

/// The site paths a page or script names in quotes: `/pkg/…`, `/favicon.ico`,
/// and a script's `./snippets/…` modules, resolved against its directory
/// (wasm-bindgen's `./user-center_bg.js` is the WASM's import namespace, not
/// a file).
fn references(from: &str, text: &str) -> Vec<String> {
    let dir = &from[..from.rfind('/').map_or(0, |i| i + 1)];
    let files = [".js", ".wasm", ".css", ".ico"];
    text.split(['"', '\'', '`'])
        .filter(|t| !t.is_empty() && !t.contains(char::is_whitespace))
        .filter(|t| files.iter().any(|ext| t.ends_with(ext)))
        .filter_map(|t| {
            if t.starts_with('/') && !t.starts_with("//") {
                Some(t.to_string())
            } else {
                t.strip_prefix("./")
                    .filter(|rest| rest.starts_with("snippets/"))
                    .map(|rest| format!("{dir}{rest}"))
            }
        })
        .collect()
}

/// GETs `path` as a browser does on a fresh connection; returns what went
/// over the wire and, for pages and scripts, their decoded text.
async fn fetch(addr: SocketAddr, path: &str) -> Result<(Fetched, Option<String>), String> {
    let req = crate::load::get(
        path,
        &[
            ("accept", "text/html,*/*".to_string()),
            ("accept-encoding", "gzip, deflate, br".to_string()),
        ],
    );
    let res = crate::send_once(addr, req)
        .await
        .map_err(|e| format!("{path}: {e}"))?;
    let status = res.status();
    if !status.is_success() {
        return Err(format!("{path}: {status}"));
    }
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let encoding = header("content-encoding");
    let cache_control = header("cache-control");
    let content_type = header("content-type");
    let head: usize = "HTTP/1.1 200 OK\r\n\r\n".len()
        + res
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + 2 + v.len() + 2)
            .sum::<usize>();
    let body = res
        .into_body()
        .collect()
        .await
        .map_err(|e| format!("{path}: {e}"))?
        .to_bytes();
    let text = if content_type.starts_with("text/html") || content_type.contains("javascript") {
        let decoded = match encoding.as_str() {
            "br" => {
                let mut out = Vec::new();
                brotli::Decompressor::new(&body[..], 4096)
                    .read_to_end(&mut out)
                    .map_err(|e| format!("{path}: {e}"))?;
                out
            }
            "gzip" => {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&body[..])
                    .read_to_end(&mut out)
                    .map_err(|e| format!("{path}: {e}"))?;
                out
            }
            _ => body.to_vec(),
        };
        Some(String::from_utf8_lossy(&decoded).into_owned())
    } else {
        None
    };
    Ok((
        Fetched {
            path: path.to_string(),
            bytes: head + body.len(),
            encoding,
            cache_control,
        },
        text,
    ))
}

#[cfg(test)]
mod tests {
    use super::references;

    #[test]
    fn a_pages_files_and_a_scripts_imports_are_found() {
        let html = r#"<link rel="stylesheet" id="leptos" href="/pkg/user-center.AbC.css">
<link rel="modulepreload" href="/pkg/user-center.AbC.js" nonce="x">
<script type="module">import('/pkg/user-center.AbC.js').then(mod => {
mod.default({module_or_path: '/pkg/user-center.AbC.wasm'})})</script>
<a href="/signup">x</a><link rel="icon" href="/favicon.ico">"#;
        assert_eq!(
            references("/login", html),
            [
                "/pkg/user-center.AbC.css",
                "/pkg/user-center.AbC.js",
                "/pkg/user-center.AbC.js",
                "/pkg/user-center.AbC.wasm",
                "/favicon.ico"
            ]
        );
        let js = r#"import { a } from './snippets/x-1/inline0.js'; new URL("//cdn/x.js");
imports['./user-center_bg.js'] = {};"#;
        assert_eq!(
            references("/pkg/user-center.AbC.js", js),
            ["/pkg/snippets/x-1/inline0.js"]
        );
    }
}
