//! "Did you mean" suggestions for misspelt keys, revision ids and labels.

/// The candidate closest to `input`, if it is close enough to be a plausible typo.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(input, candidate);
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_typos_only() {
        assert_eq!(
            super::closest("down_revisoin", ["revision", "down_revision"]),
            Some("down_revision")
        );
        assert_eq!(super::closest("zzz", ["revision", "down_revision"]), None);
    }
}
