//! Tally: count words and report the totals.
//!
//! ```
//! assert_eq!(tally_core::double(2), 4);
//! ```

pub mod counter;
pub mod report;

/// Double a number.
///
/// ```
/// assert_eq!(tally_core::double(3), 6);
/// ```
///
/// ```ignore
/// this is not compiled
/// ```
///
/// ```text
/// neither is this, and it is not a test
/// ```
pub fn double(x: i64) -> i64 {
    if x > 0 && x < i64::MAX / 2 {
        x * 2
    } else if x == 0 {
        0
    } else {
        x.checked_mul(2).expect("overflow")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles() {
        assert_eq!(double(2), 4);
    }

    #[test]
    #[ignore]
    fn slow() {
        assert_eq!(double(0), 0);
    }

    #[test]
    #[should_panic(expected = "overflow")]
    fn overflows() {
        double(i64::MIN);
    }

    fn helper() -> i64 {
        1
    }
}
