//! Inputs at object-store URLs, through the `http://` store against a small
//! local server: the same counts and rows as the local file. (S3, GCS and
//! Azure go through the same registration, with credentials from the
//! environment; they are not reachable from the tests.)

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};

use imbalanced_datafusion::{Engine, EngineOptions, Selection};
use imbalanced_resample::SamplingStrategy;

/// Serves the files of `dir` over HTTP on a free loopback port: HEAD, and
/// GET with or without a `Range: bytes=a-b` header (what object_store's
/// HTTP client sends). Returns the port.
#[cfg(feature = "cloud")]
fn serve(dir: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || answer(&stream, &dir));
        }
    });
    port
}

/// Answers one request on `stream`, then closes it.
#[cfg(feature = "cloud")]
fn answer(stream: &TcpStream, dir: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/").to_string());
    let mut range = None;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header)?;
        if header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("range") {
                let spec = value.trim().trim_start_matches("bytes=");
                if let Some((a, b)) = spec.split_once('-') {
                    range = Some((a.parse::<u64>().ok(), b.parse::<u64>().ok()));
                }
            }
        }
    }
    let mut out = stream.try_clone()?;
    let file = dir.join(path.trim_start_matches('/'));
    let Ok(body) = std::fs::read(&file) else {
        write!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?;
        return Ok(());
    };
    let total = body.len() as u64;
    let (status, slice, extra) = match range {
        Some((start, end)) => {
            let (a, b) = match (start, end) {
                (Some(a), Some(b)) => (a, b.min(total - 1)),
                (Some(a), None) => (a, total - 1),
                (None, Some(n)) => (total.saturating_sub(n), total - 1),
                (None, None) => (0, total - 1),
            };
            (
                "206 Partial Content",
                &body[a as usize..=b as usize],
                format!("Content-Range: bytes {a}-{b}/{total}\r\n"),
            )
        }
        None => ("200 OK", &body[..], String::new()),
    };
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nAccept-Ranges: bytes\r\nConnection: close\r\n{extra}\r\n",
        slice.len()
    )?;
    if method != "HEAD" {
        out.write_all(slice)?;
    }
    out.flush()
}

fn csv_text() -> String {
    let mut s = String::from("a,b,label\n");
    for i in 0..500u64 {
        let h = imbalanced_datafusion::splitmix64(i);
        let label = if i % 10 == 0 { "yes" } else { "no" };
        s.push_str(&format!("{},{},{label}\n", h % 1000, (h >> 20) % 1000));
    }
    s
}

#[cfg(feature = "cloud")]
#[test]
fn an_http_url_reads_as_the_local_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("d.csv"), csv_text()).unwrap();
    let e = Engine::new(&EngineOptions {
        partitions: 2,
        ..Default::default()
    })
    .unwrap();
    let local = e
        .read(dir.path().join("d.csv").to_str().unwrap(), Some("label"))
        .unwrap();
    e.write(local.frame(), &dir.path().join("d.parquet")).unwrap();
    let port = serve(dir.path().to_path_buf());
    let rows = |input: &str| {
        let t = e.read(input, Some("label")).unwrap();
        let counts = e.class_counts(&t).unwrap();
        let kept = e
            .under_sample(&t, &SamplingStrategy::Auto, Selection::Exact, 1)
            .unwrap();
        let batches = e.collect(kept).unwrap();
        (
            counts,
            datafusion::arrow::util::pretty::pretty_format_batches(&batches)
                .unwrap()
                .to_string(),
        )
    };
    let want = rows(dir.path().join("d.csv").to_str().unwrap());
    assert_eq!(want.0 .0, [("no".to_string(), 450), ("yes".to_string(), 50)]);
    for name in ["d.csv", "d.parquet"] {
        assert_eq!(rows(&format!("http://127.0.0.1:{port}/{name}")), want, "{name}");
    }
    // A missing object is an error that names it.
    let missing = format!("http://127.0.0.1:{port}/nope.parquet");
    let err = e.read(&missing, Some("label")).err().unwrap().to_string();
    assert!(err.contains("nope.parquet"), "{err}");
}

#[cfg(not(feature = "cloud"))]
#[test]
fn without_the_cloud_feature_a_url_says_what_to_build() {
    let e = Engine::new(&EngineOptions::default()).unwrap();
    let err = e.read("s3://bucket/data.parquet", None).err().unwrap().to_string();
    assert!(err.contains("`cloud` feature"), "{err}");
}
