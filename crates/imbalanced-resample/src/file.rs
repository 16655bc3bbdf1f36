//! Resampling a file into a file, as `imbalanced resample` does: the rows
//! of the output that are input rows are copied from the input's text.

use std::path::Path;
use std::time::Instant;

use imbalanced_data::{read_rows, write_rows, Dataset, ReadOptions};

use crate::{Resampler, Result};

/// What [`resample_file`] read and wrote.
pub struct FileResampled {
    /// The dataset read (only its labels where the sampler never reads
    /// feature values and the records are copied).
    pub input: Dataset,
    /// The dataset written.
    pub output: Dataset,
    /// Seconds the sampler took (reading and writing aside).
    pub seconds: f64,
}

/// Reads `path` with `opts`, resamples it with `sampler` and writes `out`
/// ([`write_rows`]: output rows that are input rows are copied as the file
/// had them). A sampler that only picks rows has only the labels read
/// ([`read_rows`]); an over-sampler's output is begun with the input's
/// records while it runs ([`imbalanced_data::Passthrough::begin_output`]).
/// `on_read` sees the dataset read before the sampler starts (warnings, a
/// progress display).
pub fn resample_file(
    sampler: &dyn Resampler,
    path: &Path,
    opts: &ReadOptions,
    out: &Path,
    on_read: impl FnOnce(&Dataset),
) -> Result<FileResampled> {
    let (input, passthrough) = read_rows(path, opts, out, sampler.reads_features())?;
    on_read(&input);
    let begun = passthrough
        .as_ref()
        .filter(|_| sampler.output_starts_with_input())
        .and_then(|p| p.begin_output(out));
    let started = Instant::now();
    let (output, origin) = sampler.fit_resample_dataset_with_origin(&input)?;
    let seconds = started.elapsed().as_secs_f64();
    write_rows(&output, &origin, passthrough.as_ref(), begun, out)?;
    Ok(FileResampled { input, output, seconds })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RandomOverSampler, RandomUnderSampler};

    /// The file written holds the dataset returned, its input rows as the
    /// input wrote them; `on_read` sees the rows read, once, and a sampler
    /// error leaves no output.
    #[test]
    fn a_file_resampled_is_the_dataset_returned_with_its_input_rows_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let text = "a,b,y\n0.50,1,x\n1.50,2,x\n2.50,3,x\n3.50,4,x\n4.50,5,z\n";
        let input = dir.path().join("in.csv");
        std::fs::write(&input, text).unwrap();
        let out = dir.path().join("out.csv");
        let mut seen = Vec::new();
        let done = resample_file(
            &RandomOverSampler::default(),
            &input,
            &ReadOptions::default(),
            &out,
            |d| seen.push(d.n_samples()),
        )
        .unwrap();
        assert_eq!(seen, [5]);
        assert_eq!((done.input.n_samples(), done.output.n_samples()), (5, 8));
        let written = std::fs::read_to_string(&out).unwrap();
        assert!(written.starts_with(text), "{written}");
        assert_eq!(written.lines().count(), 9);
        let under = resample_file(
            &RandomUnderSampler::default(),
            &input,
            &ReadOptions::default(),
            &out,
            |_| {},
        );
        assert_eq!(under.unwrap().output.n_samples(), 2);
        let bad = dir.path().join("bad.csv");
        let refused = resample_file(&crate::Smote::default(), &input, &ReadOptions::default(), &bad, |_| {});
        assert!(refused.is_err() && !bad.exists());
        // No temporary file either: the input and the one output.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
