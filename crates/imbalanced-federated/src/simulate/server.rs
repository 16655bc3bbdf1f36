//! The server's side of a round: Flower 1.42's aggregation strategies on
//! the clients' flat parameter vectors.

use ndarray::Array1;

use super::Strategy;

/// The server's memory between rounds: FedAvgM's momentum, FedAdam's moments.
#[derive(Debug, Default)]
pub(crate) struct ServerState {
    momentum: Option<Array1<f64>>,
    m: Option<Array1<f64>>,
    v: Option<Array1<f64>>,
}

impl ServerState {
    /// The new global model from the clients' `models` (of `sizes` rows).
    pub(crate) fn aggregate(
        &mut self,
        strategy: &Strategy,
        round: usize,
        current: &Array1<f64>,
        models: &[Array1<f64>],
        sizes: &[f64],
    ) -> Array1<f64> {
        // Flower's in-place FedAvg: sum of (rows / total rows) x model.
        let total: f64 = sizes.iter().sum();
        let mut avg = &models[0] * (sizes[0] / total);
        for (m, &n) in models.iter().zip(sizes).skip(1) {
            avg.scaled_add(n / total, m);
        }
        match *strategy {
            Strategy::FedAvg | Strategy::FedProx { .. } => avg,
            Strategy::FedAvgM {
                server_learning_rate,
                server_momentum,
            } => {
                if server_momentum == 0.0 && server_learning_rate == 1.0 {
                    return avg;
                }
                let mut pseudo = current - &avg;
                if server_momentum > 0.0 {
                    let next = match self.momentum.take() {
                        Some(v) if round > 1 => v * server_momentum + &pseudo,
                        _ => pseudo.clone(),
                    };
                    pseudo = next.clone();
                    self.momentum = Some(next);
                }
                current - &(pseudo * server_learning_rate)
            }
            Strategy::FedAdam {
                eta,
                beta_1,
                beta_2,
                tau,
            } => {
                let delta = &avg - current;
                let m = self.m.take().unwrap_or_else(|| Array1::zeros(delta.dim())) * beta_1 + &delta * (1.0 - beta_1);
                let v = self.v.take().unwrap_or_else(|| Array1::zeros(delta.dim())) * beta_2
                    + &delta.mapv(|x| x * x) * (1.0 - beta_2);
                // Flower's bias correction, with its exponent `server_round + 1`.
                let t = round as f64 + 1.0;
                let eta_norm = eta * (1.0 - beta_2.powf(t)).sqrt() / (1.0 - beta_1.powf(t));
                let step = ndarray::Zip::from(&m)
                    .and(&v)
                    .map_collect(|&m, &v| eta_norm * m / (v.sqrt() + tau));
                self.m = Some(m);
                self.v = Some(v);
                current + &step
            }
            Strategy::FedTrimmedAvg { beta } => {
                let n = models.len();
                let cut = (beta * n as f64) as usize;
                let mut out = Array1::zeros(current.dim());
                let mut column = vec![0.0; n];
                for (idx, o) in out.indexed_iter_mut() {
                    for (c, m) in column.iter_mut().zip(models) {
                        *c = m[idx];
                    }
                    column.sort_by(f64::total_cmp);
                    let kept = &column[cut..n - cut];
                    *o = kept.iter().sum::<f64>() / kept.len() as f64;
                }
                out
            }
        }
    }
}
