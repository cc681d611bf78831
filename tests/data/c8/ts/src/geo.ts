export interface Point {
  x: number;
  y: number;
}

export function dist(a: Point, b: Point): number {
  const dx = a.x - b.x;
  const dy = a.y - b.y;
  return Math.sqrt(dx * dx + dy * dy);
}

export function quadrant(p: Point): string {
  if (p.x >= 0 && p.y >= 0) {
    return "I";
  } else if (p.x < 0 && p.y >= 0) {
    return "II";
  }
  return p.y < 0 ? "III/IV" : "?";
}

export function unused(p: Point): Point {
  return { x: -p.x, y: -p.y };
}
