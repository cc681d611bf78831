//! polycore: arithmetic shared with Python (ctypes) and Ruby (fiddle).

/// Tested by Rust's own unit test.
#[no_mangle]
pub extern "C" fn poly_add(a: i64, b: i64) -> i64 {
    a + b
}

/// Called only from Python.
#[no_mangle]
pub extern "C" fn poly_scale(x: i64, k: i64) -> i64 {
    if k == 0 {
        return 0;
    }
    x * k
}

/// Called only from Ruby.
#[no_mangle]
pub extern "C" fn poly_clamp(x: i64, lo: i64, hi: i64) -> i64 {
    if x < lo {
        lo
    } else if x > hi {
        hi
    } else {
        x
    }
}

/// Called only by the polyserve binary (an e2e suite, when configured).
#[no_mangle]
pub extern "C" fn poly_unused(x: i64) -> i64 {
    x - 1
}

#[cfg(test)]
mod tests {
    #[test]
    fn adds() {
        assert_eq!(super::poly_add(2, 3), 5);
    }
}
