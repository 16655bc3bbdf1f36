//! Label-consistent over-sampling: ReTabSyn's idea (Lin et al. 2026, that
//! a synthetic table should above all keep P(y | X)) in classical form.
//! Our formulation: the paper trains a generator; here any over-sampler of
//! the catalogue proposes rows and a classifier fitted on the real rows
//! keeps those it agrees with.

use imbalanced_catalog::{Estimator, Value};
use imbalanced_data::{take_rows, Xy};
use imbalanced_models::Predict;
use imbalanced_random::RngKind;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::util::{make_rng, shuffled_folds};
use crate::{JudgeSpec, Resampled, Resampler, SamplerSpec, SAMPLERS};

/// What becomes of a synthetic row the judge does not give its class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rejected {
    /// Dropped. The default.
    #[default]
    Drop,
    /// Given the class the judge finds most probable, if that probability
    /// reaches the threshold and that class still needs rows; else dropped.
    Relabel,
}

/// What happens when the rounds run out before every class has its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Shortfall {
    /// An error naming the classes short and how to fix it. The default.
    #[default]
    Error,
    /// Return the rows found.
    Keep,
}

/// Synthetic rows kept only where a classifier of the real rows agrees with
/// their class.
///
/// Label-consistent over-sampling, after ReTabSyn (Lin et al. 2026), our
/// formulation: `sampler` proposes rows; a `judge` fitted on the real rows,
/// cross-fitted (the mean probability of `cv` models, each fitted without
/// one stratified fold), keeps a row when the probability of its intended
/// class is at least `threshold`; a rejected row is dropped or relabelled
/// (`rejected`). Rounds of new proposals (the sampler reseeded with
/// `random_state + round`) continue until each class has as many rows as
/// the sampler's first round gave it, or `max_rounds` have run; a class
/// still short is an error unless `shortfall` is `keep`. The output is the
/// input, then the kept rows class by class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "LabelConsistentOverSampler", kind = "over", aliases = ["label-consistent"])]
pub struct LabelConsistentOverSampler {
    /// The over-sampler that proposes rows, any of the catalogue: a name or `{"name": ..., parameters}`. Default:
    /// `SMOTE`.
    pub sampler: SamplerSpec,
    /// The classifier of the real rows, a model by name or `{"name": ..., parameters}`: `KNeighborsClassifier`,
    /// `RandomForestClassifier`, `DecisionTreeClassifier`, `LogisticRegression`, `GaussianNB`, `SoftmaxRegression`,
    /// `MLPClassifier`, `AdaBoostClassifier` or `HistGradientBoostingClassifier` (or an alias; not the balanced
    /// ensembles, whose probabilities are re-balanced); its `random_state`, if it takes one, is this sampler's plus
    /// the fold. Default: `KNeighborsClassifier`.
    pub judge: JudgeSpec,
    /// Folds of the cross-fitted judge (at least 2). Default: 5.
    pub cv: usize,
    /// Least judged probability of a row's class to keep it, in [0, 1]. Default: 0.5.
    pub threshold: f64,
    /// A rejected row: `drop` or `relabel`. Default: `drop`.
    pub rejected: Rejected,
    /// Most rounds of proposals. Default: 10.
    pub max_rounds: usize,
    /// When rounds run out with a class short: `error` or `keep` (return fewer rows). Default: `error`.
    pub shortfall: Shortfall,
    /// Seed of the folds, the judge and the sampler's rounds. Default: 0.
    pub random_state: u64,
    /// Bit source of the folds and the sampler: `default` or `numpy`. Default: `default`.
    pub rng: RngKind,
}

impl Default for LabelConsistentOverSampler {
    fn default() -> Self {
        LabelConsistentOverSampler {
            sampler: SamplerSpec::named("SMOTE"),
            judge: JudgeSpec::default(),
            cv: 5,
            threshold: 0.5,
            rejected: Rejected::Drop,
            max_rounds: 10,
            shortfall: Shortfall::Error,
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

/// The cross-fitted judge: models fitted without one fold each.
struct CrossFitted(Vec<Box<dyn Predict>>);

impl CrossFitted {
    /// The models' mean class probabilities of `rows`.
    fn proba(&self, rows: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut sum = Array2::zeros((rows.nrows(), self.0[0].n_classes()));
        for model in &self.0 {
            let p = model
                .predict_proba(rows)
                .map_err(|e| ResampleError::NotApplicable(format!("LabelConsistentOverSampler's judge: {e}")))?;
            sum += &p;
        }
        Ok(sum / self.0.len() as f64)
    }
}

impl LabelConsistentOverSampler {
    fn check(&self) -> Result<()> {
        let bad = |name: &str, value: String, expected: &str| {
            Err(ResampleError::Parameter {
                name: name.into(),
                value,
                expected: expected.into(),
            })
        };
        if self.cv < 2 {
            return bad("cv", self.cv.to_string(), "at least 2 folds");
        }
        if !(0.0..=1.0).contains(&self.threshold) {
            return bad("threshold", self.threshold.to_string(), "a probability in [0, 1]");
        }
        if self.max_rounds == 0 {
            return bad("max_rounds", "0".into(), "at least 1 round");
        }
        // A sampler that adds no rows (an under-sampler or a cleaner) would leave nothing to judge.
        match SAMPLERS.find(&self.sampler.name).map(|e| e.info.kind) {
            Ok("over" | "combined") | Err(_) => Ok(()),
            Ok(kind) => bad(
                "sampler",
                self.sampler.name.clone(),
                &format!("an over-sampler, which proposes rows (this one is a {kind} sampler)"),
            ),
        }
    }

    fn fit_judge(&self, data: Xy<'_>) -> Result<CrossFitted> {
        let (x, y) = (data.x(), data.y());
        let mut rng = make_rng(self.rng, self.random_state)?;
        let folds = shuffled_folds(y, self.cv, &mut rng)?;
        let judge_error = |e: String| ResampleError::NotApplicable(format!("LabelConsistentOverSampler's judge: {e}"));
        let models = (0..self.cv)
            .map(|f| {
                let train: Vec<usize> = (0..y.len()).filter(|&i| folds[i] != f).collect();
                let ytr: Vec<usize> = train.iter().map(|&i| y[i]).collect();
                let seed = Value::from(self.random_state.wrapping_add(f as u64));
                let model = self
                    .judge
                    .build(&[("random_state", seed)])
                    .map_err(|e| judge_error(e.to_string()))?;
                let xtr = take_rows(x, &train);
                let fold = Xy::new(xtr.view(), &ytr, data.n_classes()).map_err(|e| judge_error(e.to_string()))?;
                model.fit_boxed(fold).map_err(|e| judge_error(e.to_string()))
            })
            .collect::<Result<_>>()?;
        Ok(CrossFitted(models))
    }

    /// Round `round`'s proposals: the sampler's synthetic rows and classes.
    fn propose(&self, data: Xy<'_>, classes: &[String], round: usize) -> Result<(Array2<f64>, Vec<usize>)> {
        let ambient = crate::randomness(self.random_state.wrapping_add(round as u64), self.rng);
        let sampler = self.sampler.build(&ambient).map_err(|e| ResampleError::Parameter {
            name: "sampler".into(),
            value: self.sampler.name.clone(),
            expected: e.to_string(),
        })?;
        let out = sampler.fit_resample_checked(data, classes)?;
        let new: Vec<usize> = (0..out.y.len()).filter(|&r| out.origin[r].is_none()).collect();
        Ok((take_rows(out.x.view(), &new), new.iter().map(|&r| out.y[r]).collect()))
    }
}

impl Resampler for LabelConsistentOverSampler {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        self.check()?;
        let n_classes = data.n_classes();
        let judge = self.fit_judge(data)?;
        let mut need = vec![0usize; n_classes];
        let mut kept: Vec<Vec<Vec<f64>>> = vec![Vec::new(); n_classes];
        let mut previous: Option<Array2<f64>> = None;
        for round in 0..self.max_rounds {
            let (rows, intended) = self.propose(data, classes, round)?;
            if round == 0 {
                intended.iter().for_each(|&c| need[c] += 1);
            }
            // A sampler that draws nothing proposes the same rows again.
            if previous.as_ref() == Some(&rows) {
                break;
            }
            let proba = judge.proba(rows.view())?;
            for (r, &c) in intended.iter().enumerate() {
                let p = proba.row(r);
                let target = if p[c] >= self.threshold {
                    Some(c)
                } else if self.rejected == Rejected::Relabel {
                    let best = (0..n_classes).fold(0, |b, k| if p[k] > p[b] { k } else { b });
                    (p[best] >= self.threshold).then_some(best)
                } else {
                    None
                };
                if let Some(t) = target.filter(|&t| kept[t].len() < need[t]) {
                    kept[t].push(rows.row(r).to_vec());
                }
            }
            if kept.iter().zip(&need).all(|(k, &n)| k.len() >= n) {
                break;
            }
            previous = Some(rows);
        }
        let short: Vec<String> = (0..n_classes)
            .filter(|&c| kept[c].len() < need[c])
            .map(|c| format!("{} ({} of {})", classes[c], kept[c].len(), need[c]))
            .collect();
        if !short.is_empty() && self.shortfall == Shortfall::Error {
            return Err(ResampleError::NotApplicable(format!(
                "LabelConsistentOverSampler: after {} rounds the judge accepts too few synthetic rows of {}: raise \
                 max_rounds, lower threshold, use rejected=\"relabel\", or set shortfall=\"keep\" to return them",
                self.max_rounds,
                short.join(", ")
            )));
        }
        let (x, y) = (data.x(), data.y());
        let (n, d) = x.dim();
        let total = n + kept.iter().map(Vec::len).sum::<usize>();
        let mut out_x = Array2::zeros((total, d));
        out_x.slice_mut(ndarray::s![..n, ..]).assign(&x);
        let mut out_y = y.to_vec();
        for (c, rows) in kept.iter().enumerate() {
            for row in rows {
                out_x.row_mut(out_y.len()).assign(&ndarray::ArrayView1::from(row));
                out_y.push(c);
            }
        }
        Ok(Resampled {
            x: out_x,
            origin: crate::inputs_then_new(n, total),
            y: out_y,
        })
    }
}
