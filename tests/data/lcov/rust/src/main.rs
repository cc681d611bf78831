//! A small Rust program for `rustc -C instrument-coverage`: branches, a closure,
//! a generic function instantiated twice and a function that never runs.

fn classify(n: i64) -> &'static str {
    if n < 0 {
        "negative"
    } else if n == 0 {
        "zero"
    } else {
        "positive"
    }
}

fn largest<T: PartialOrd + Copy>(items: &[T]) -> Option<T> {
    let mut best = *items.first()?;
    for &item in items {
        if item > best {
            best = item;
        }
    }
    Some(best)
}

#[allow(dead_code)]
fn never_called(x: u32) -> u32 {
    match x {
        0 => 1,
        n => n * never_called(n - 1),
    }
}

fn main() {
    let args: Vec<i64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    for a in &args {
        println!("{a}: {}", classify(*a));
    }
    let floats = [1.5_f64, -2.0, 9.25];
    println!("{:?} {:?}", largest(&args), largest(&floats));
    let evens = args.iter().filter(|v| *v % 2 == 0).count();
    if evens > 100 {
        println!("many evens");
    }
}
