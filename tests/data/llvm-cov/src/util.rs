/// Generic: instantiated for i64 and &str, so llvm-cov sees two instantiations.
pub fn largest<T: PartialOrd + Copy>(xs: &[T]) -> Option<T> {
    let mut it = xs.iter();
    let mut best = *it.next()?;
    for &x in it {
        if x > best {
            best = x;
        }
    }
    Some(best)
}

pub fn clamp(v: i64, lo: i64, hi: i64) -> i64 {
    if v < lo && lo <= hi {
        lo
    } else if v > hi {
        hi
    } else {
        v
    }
}

#[allow(dead_code)]
pub fn never_called(x: i64) -> i64 {
    let y = x * 2;
    y + 1
}
