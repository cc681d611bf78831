pub enum Shape {
    Square(i64),
    Circle(i64),
    Triangle(i64, i64),
}

impl Shape {
    pub fn area(&self) -> i64 {
        match self {
            Shape::Square(s) => s * s,
            Shape::Circle(r) => 3 * r * r,
            Shape::Triangle(b, h) => b * h / 2,
        }
    }

    #[allow(dead_code)]
    pub fn describe(&self) -> &'static str {
        if self.area() > 10 { "big" } else { "small" }
    }
}
