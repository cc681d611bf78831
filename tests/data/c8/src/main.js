'use strict';
const { area, describe, scale } = require('./shapes');
const { clamp, sum } = require('./util');

const shapes = [{ kind: 'square', size: 2 }, { kind: 'square', size: 5 }];
const out = shapes.map((s) => describe(scale(s, 1)));
console.log(out.join(','), sum([1, 2, 3]), clamp(5, 0, 3), clamp(1, 0, 3), area(shapes[0]));
