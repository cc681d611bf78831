use tally_core::counter::Counter;

#[test]
fn counts_words() {
    let mut c = Counter::new();
    c.add("a b a").unwrap();
    assert_eq!(c.get("a"), 2);
}

#[test]
#[ignore = "needs a big corpus"]
fn counts_a_corpus() {}
