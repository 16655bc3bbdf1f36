//! Over-samplers: add rows to the classes a strategy names. The output is
//! the input unchanged, then the new rows class by class in sorted order
//! (smote-variants' samplers: in the order its multiclass strategy takes
//! the classes).

mod adasyn;
mod bucketed;
mod categorical;
mod diffusion;
mod kmeans_smote;
mod label_consistent;
mod random;
mod relational;
mod smote;
mod smote_variants;
mod svm_smote;

pub use adasyn::Adasyn;
pub use bucketed::BucketedSmoteNc;
pub use categorical::{SmoteN, SmoteNc};
pub use diffusion::DiffusionOverSampler;
pub use kmeans_smote::KMeansSmote;
pub use label_consistent::{LabelConsistentOverSampler, Rejected, Shortfall};
pub use random::{RandomOverSampler, Shrinkage};
pub use relational::{RelationGate, RelationalSmote};
pub(crate) use smote::{check_k, too_few, Output};
pub use smote::{BorderlineKind, BorderlineSmote, Smote};
pub use smote_variants::{
    AssembledSmote, Ccr, GSmote, IpfVoting, Lee, LvqSmote, PolynomFitSmoteBus, PolynomFitSmoteMesh,
    PolynomFitSmotePoly, PolynomFitSmoteStar, ProWSyn, Smobd, SmoteIpf, SmoteTomekLinks,
};
pub use svm_smote::SvmSmote;
