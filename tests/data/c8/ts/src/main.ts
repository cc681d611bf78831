import { dist, quadrant } from "./geo";

const pts = [{ x: 1, y: 2 }, { x: -3, y: 4 }];
console.log(dist(pts[0], pts[1]).toFixed(2), pts.map(quadrant).join(","));
