//! Property tests and fuzz targets (not compiled by the fixture's make.sh:
//! proptest and libfuzzer-sys cannot be fetched offline).

use proptest::prelude::*;

proptest! {
    #[test]
    fn doubling_is_even(x in 0i64..1000) {
        prop_assert_eq!(tally_core::double(x) % 2, 0);
    }

    #[test]
    #[ignore]
    fn slow_property(x in 0i64..10) {
        prop_assert!(x < 10);
    }
}

#[tokio::test]
async fn async_test() {}

#[sqlx::test]
async fn db_test(pool: PgPool) {}

#[rstest]
#[case(1)]
fn param_test(#[case] n: i64) {}

#[quickcheck]
fn qc(x: i64) -> bool { x == x }

#[bench]
fn bench_double(b: &mut Bencher) {}

fuzz_target!(|data: &[u8]| {
    let _ = std::str::from_utf8(data);
});
