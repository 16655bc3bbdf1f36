//! Object stores: inputs and outputs at `s3://`, `gs://`, `az://` (and
//! Azure's `abfs(s)://`), or `http(s)://` locations, registered with the
//! session the first time a location of that bucket or host is used. The
//! credentials and settings come from the environment, under the names
//! each cloud's tools use (`AWS_ACCESS_KEY_ID`, `AWS_REGION`,
//! `GOOGLE_SERVICE_ACCOUNT`, `AZURE_STORAGE_ACCOUNT_NAME`, ...), as the
//! `object_store` crate reads them. Needs the `cloud` feature (the
//! `object_store` crate's clients: an HTTP stack with TLS).

use datafusion::prelude::SessionContext;

use crate::{Result, ScaleError};

/// Whether `location` names an object store (`scheme://...`) rather than a
/// local path.
pub(crate) fn is_url(location: &str) -> bool {
    location
        .split_once("://")
        .is_some_and(|(scheme, _)| scheme.len() > 1 && scheme.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Registers the object store of `location` with `ctx` (nothing for a
/// local path).
#[cfg(feature = "cloud")]
pub(crate) fn register(ctx: &SessionContext, location: &str) -> Result<()> {
    if !is_url(location) {
        return Ok(());
    }
    let bad = |e: &dyn std::fmt::Display| ScaleError::Input {
        input: location.to_string(),
        message: format!("{e}"),
    };
    let url = url::Url::parse(location).map_err(|e| bad(&e))?;
    if url.scheme() == "file" {
        return Ok(());
    }
    // A plain http:// location is asked for by name: allow it (TLS otherwise).
    let plain = (url.scheme() == "http").then(|| ("allow_http".to_string(), "true".to_string()));
    let options = std::env::vars().chain(plain);
    let (store, _) = object_store::parse_url_opts(&url, options).map_err(|e| bad(&e))?;
    ctx.register_object_store(&url, std::sync::Arc::from(store));
    Ok(())
}

#[cfg(not(feature = "cloud"))]
pub(crate) fn register(_: &SessionContext, location: &str) -> Result<()> {
    if is_url(location) && !location.starts_with("file://") {
        return Err(ScaleError::Input {
            input: location.to_string(),
            message: "object stores need imbalanced-datafusion's `cloud` feature (the CLI's `datafusion` feature \
                      has it); this build reads local files only"
                .into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::is_url;

    #[test]
    fn urls_are_told_from_paths() {
        for url in [
            "s3://bucket/data/",
            "gs://b/x.parquet",
            "https://host:8080/d.csv",
            "abfss://c@a.dfs/x",
        ] {
            assert!(is_url(url), "{url}");
        }
        for path in [
            "data/x.parquet",
            "/tmp/a.csv",
            "C:\\data\\x.csv",
            "events/*.parquet",
            "://x",
        ] {
            assert!(!is_url(path), "{path}");
        }
    }
}
