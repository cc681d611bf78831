//! A small program for llvm-cov fixtures: several files, a generic fn, a closure,
//! an uncovered fn, `if` and `match`.

mod shapes;
mod util;

use shapes::Shape;

fn main() {
    let args: Vec<i64> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let shapes = [Shape::Square(2), Shape::Circle(1), Shape::Square(args.len() as i64)];
    let mut total = 0;
    for s in &shapes {
        total += s.area();
    }
    let big = shapes.iter().filter(|s| s.area() > 3).count();
    println!("{total} {big} {}", util::largest(&args).unwrap_or(0));
    println!("{}", util::largest(&["a", "b"]).map_or("", |v| v));
    if args.iter().any(|&a| a < 0) {
        println!("negative: {}", util::clamp(args[0], 0, 5));
    } else {
        println!("all positive");
    }
}
