//! Sizes as people write them, for the settings that take memory.

/// A byte count as people write it: `512M`, `4G`, `1.5G`, `800K` or bytes.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let (number, unit) = t.split_at(t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len()));
    let scale = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return Err(format!("{text:?}: give a size such as 512M or 4G")),
    };
    match number.trim().parse::<f64>() {
        Ok(n) if n > 0.0 && n.is_finite() => Ok((n * scale) as usize),
        _ => Err(format!("{text:?}: give a size such as 512M or 4G")),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_read_as_written_and_nonsense_is_named() {
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("800K"), Ok(800 * 1024));
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size(" 2mb "), Ok(2 << 20));
        for bad in ["lots", "0", "-1G", "4X", ""] {
            assert!(
                parse_size(bad).unwrap_err().contains("give a size such as 512M"),
                "{bad}"
            );
        }
    }
}
