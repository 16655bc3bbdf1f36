//! docs/CATALOGUE.md is the catalogue as `Catalog::markdown` renders it:
//! the documentation of every sampler, model, loss and partitioner comes from their
//! definitions. `UPDATE_CATALOGUE=1 cargo test -p imbalanced --test
//! catalogue_docs` rewrites it after a change.

use std::path::Path;

fn rendered() -> String {
    format!(
        "# The catalogue\n\nEvery estimator with its parameters and defaults, as the CLI's `--method`, \
         `--model`, `--loss`, `--partitioner` and `--param` take them (generated from the code by \
         `crates/imbalanced/tests/catalogue_docs.rs`; do not edit).\n\n## Samplers\n\n{}## Models\n\n{}## Losses\n\n{}\
         ## Partitioners\n\n{}",
        imbalanced::resample::SAMPLERS.markdown(),
        imbalanced::models::MODELS.markdown(),
        imbalanced::losses::LOSSES.markdown(),
        imbalanced::federated::PARTITIONERS.markdown()
    )
}

#[test]
fn the_catalogue_document_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/CATALOGUE.md");
    let want = rendered();
    if std::env::var_os("UPDATE_CATALOGUE").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/CATALOGUE.md is stale: run UPDATE_CATALOGUE=1 cargo test -p imbalanced --test catalogue_docs"
    );
    assert!(want.contains("### `SMOTE`") && want.contains("| `smote__k_neighbors` | `5` |"));
}
