//! What the sampler batteries share.

/// The parameters a sampler runs with in a battery: its defaults, but the
/// diffusion sampler's network small and briefly trained, so that a debug
/// build stays quick.
pub fn light(name: &str) -> Vec<(String, serde_json::Value)> {
    if name == "DiffusionOverSampler" {
        serde_json::from_str(r#"[["max_iter", 20], ["hidden_layer_sizes", [8]], ["n_steps", 10]]"#).unwrap()
    } else {
        Vec::new()
    }
}
