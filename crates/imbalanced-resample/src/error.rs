use imbalanced_neighbors::NeighborsError;

/// Everything a sampler can refuse. Messages name the problem and the fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResampleError {
    #[error("{x_rows} rows of features but {y_len} labels: give one label per row")]
    ShapeMismatch { x_rows: usize, y_len: usize },
    #[error("the data has {0} class{es}: resampling needs at least 2 classes", es = if *.0 == 1 { "" } else { "es" })]
    SingleClass(usize),
    #[error("the data has no rows")]
    Empty,
    #[error("the data has no numeric feature columns: this sampler computes on feature values and needs at least one")]
    NoFeatures,
    #[error(
        "feature column {column} of row {row} is {value}: resampling needs finite numbers; drop or impute that row"
    )]
    NonFinite { row: usize, column: usize, value: f64 },
    #[error("class code {label} is not below the {n_classes} classes given")]
    BadLabel { label: usize, n_classes: usize },
    #[error("invalid sampling_strategy: {0}")]
    Strategy(String),
    #[error("invalid parameter {name}={value}: {expected}")]
    Parameter {
        name: String,
        value: String,
        expected: String,
    },
    #[error(
        "class {class} has {n} samples but {param}={k} needs at least {needed}: \
         lower {param}, or merge or drop that class"
    )]
    TooFewSamples {
        class: String,
        n: usize,
        needed: usize,
        param: &'static str,
        k: usize,
    },
    #[error(
        "{sampler} needs numeric features but column(s) {columns} are categorical: \
         use SMOTENC (mixed) or SMOTEN (categorical only), RandomOverSampler or RandomUnderSampler, \
         or one-hot encode those columns first"
    )]
    CategoricalUnsupported { sampler: &'static str, columns: String },
    #[error("{0}")]
    NotApplicable(String),
    #[error(transparent)]
    Neighbors(#[from] NeighborsError),
    #[error(transparent)]
    Data(#[from] imbalanced_data::DataError),
}

impl From<imbalanced_data::InputError> for ResampleError {
    fn from(e: imbalanced_data::InputError) -> Self {
        use imbalanced_data::InputError as E;
        match e {
            E::ShapeMismatch { x_rows, y_len } => ResampleError::ShapeMismatch { x_rows, y_len },
            E::Empty => ResampleError::Empty,
            E::NoFeatures => ResampleError::NoFeatures,
            E::SingleClass => ResampleError::SingleClass(1),
            E::BadLabel { label, n_classes } => ResampleError::BadLabel { label, n_classes },
            E::NonFinite { row, column, value } => ResampleError::NonFinite { row, column, value },
        }
    }
}

pub type Result<T, E = ResampleError> = std::result::Result<T, E>;
