'use strict';
const { area, describe } = require('./lib/shapes');

const shapes = [{ kind: 'square', side: 2 }, { kind: 'square', side: 3, label: 'big' }];
let sum = 0;
for (const s of shapes) {
  sum += area(s);
  describe(s);
}
if (sum < 0) {
  console.log('impossible');
}
[1, 2].map((v) => v + 1).filter((v) => v > 2);
console.log(sum);
