//! The identifiers of AWS Config managed rules (`schemas/aws-config-managed-rules.txt`,
//! from aws-cdk-lib's `ManagedRuleIdentifiers`; `tools/gen-config-rules.sh`).

const TABLE: &str = include_str!("../../../schemas/aws-config-managed-rules.txt");

/// Where the list comes from, for messages.
pub const SOURCE: &str = "aws-cdk-lib 2.276.0";

fn identifiers() -> impl Iterator<Item = &'static str> {
    TABLE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// How many identifiers the list has.
pub fn count() -> usize {
    identifiers().count()
}

/// Whether `id` is a managed rule identifier of the list.
pub fn known(id: &str) -> bool {
    identifiers().any(|k| k == id)
}

/// The listed identifier closest to `id` by its words (`DB_BACKUP_ENABLED` →
/// `DB_INSTANCE_BACKUP_ENABLED`): one that has at least two of its words and two thirds
/// of them; the three whose shared words are rarest in the list (`ROTATION` says more
/// than `ENABLED`), then with the fewest other words. Empty when none is that close.
pub fn closest(id: &str) -> Vec<&'static str> {
    let words: Vec<&str> = id.split('_').filter(|w| !w.is_empty()).collect();
    let frequency = |w: &str| {
        identifiers()
            .filter(|k| k.split('_').any(|x| x == w))
            .count()
            .max(1) as f64
    };
    let weights: Vec<f64> = words.iter().map(|w| 1.0 / frequency(w)).collect();
    let mut close: Vec<(f64, usize, &'static str)> = Vec::new();
    for k in identifiers() {
        let theirs: Vec<&str> = k.split('_').collect();
        let shared: Vec<usize> = (0..words.len())
            .filter(|&i| theirs.contains(&words[i]))
            .collect();
        if shared.len() < 2 || shared.len() * 3 < words.len() * 2 {
            continue;
        }
        let score: f64 = shared.iter().map(|&i| weights[i]).sum();
        close.push((score, theirs.len().saturating_sub(shared.len()), k));
    }
    close.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(b.2)));
    close.into_iter().take(3).map(|(_, _, k)| k).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_and_the_closest_identifier() {
        assert!(count() > 250);
        assert!(known("S3_BUCKET_VERSIONING_ENABLED"));
        assert!(!known("KMS_ROTATION_ENABLED"));
        assert_eq!(
            closest("DB_BACKUP_ENABLED")[0],
            "DB_INSTANCE_BACKUP_ENABLED"
        );
        assert_eq!(
            closest("ROOT_ACCESS_KEY_CHECK")[0],
            "IAM_ROOT_ACCESS_KEY_CHECK"
        );
        assert!(closest("KMS_ROTATION_ENABLED").contains(&"CMK_BACKING_KEY_ROTATION_ENABLED"));
        assert!(closest("CONFIG_ENABLED").is_empty());
    }
}
